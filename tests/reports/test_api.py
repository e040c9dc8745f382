"""GET /cases/{id}/report.html and /report.pdf: Bearer auth and supplier scoping as the
Markdown report route has them (api/routes/cases.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.api.routes import reports
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import snapshot
from tests.reports.support import ACME_NAME, D, H, Story, pdf_text

PREFIX = "/api/v1"
MISSING = 999_999
NOW = T0 + 2 * D


def _with_reports(app: FastAPI) -> FastAPI:
    """The app as api/app.py will build it once it includes api.routes.reports."""
    mounted = {getattr(route, "path", None) for route in app.routes}
    if f"{PREFIX}/cases/{{case_id}}/report.pdf" not in mounted:
        app.include_router(reports.router, prefix=PREFIX)
    return app


@dataclass
class World:
    client: TestClient
    url: str
    tokens: dict[str, str]
    cases: dict[str, int]

    def get(self, who: str | None, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.get(f"{PREFIX}{path}", headers=headers)


@pytest.fixture
def world(
    db_url: str, policy: DeadlinePolicy, fast_password_hashing: None
) -> Iterator[World]:
    story = Story(db_url, policy)
    story.supplier("ACME", ACME_NAME)
    story.supplier("BETA", "Beta Corp")
    cases = {code: story.open(title=f"Cracked housing from {code}", supplier=code,
                              problem=f"secret problem of {code}")
             for code in ("ACME", "BETA")}
    story.step(cases["ACME"], "contain", T0 + H, actor="supplier:ACME",
               containment="Quarantined 1,200 pcs")
    tokens: dict[str, str] = {}
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="viewer", role="viewer", password="view-password-1", now=T0)
        tokens["viewer"] = create_token(session, user_name="viewer", now=T0)[1]
        for code in ("ACME", "BETA"):
            tokens[code] = create_token(session, supplier_code=code, now=T0)[1]
    settings = Settings(database_url=db_url, now=isoformat(NOW), routes="no-routes.toml")
    app = _with_reports(create_app(settings))
    with TestClient(app, raise_server_exceptions=True) as client:
        yield World(client=client, url=db_url, tokens=tokens, cases=cases)


def test_the_html_report_is_a_standalone_page_for_any_role(world: World) -> None:
    case_id = world.cases["ACME"]
    response = world.get("viewer", f"/cases/{case_id}/report.html")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "private, no-store"
    page = response.text
    assert f"<title>8D report — case #{case_id}: Cracked housing from ACME</title>" in page
    assert "Quarantined 1,200 pcs" in page
    # Dated by the server's now (CAPA_NOW here): the D4 clock has not run out.
    assert "as of 2026-03-04 09:00 UTC" in page


def test_the_pdf_report_reads_back_with_the_case_content(world: World) -> None:
    case_id = world.cases["ACME"]
    response = world.get("viewer", f"/cases/{case_id}/report.pdf")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'inline; filename="case-{case_id}-8d-report.pdf"')
    text = " ".join(pdf_text(response.content).split())
    assert "Cracked housing from ACME" in text
    assert "Quarantined 1,200 pcs" in text


@pytest.mark.parametrize("suffix", ["report.html", "report.pdf"])
def test_a_supplier_gets_its_own_case_and_a_404_for_anothers(world: World, suffix: str) -> None:
    own = world.get("ACME", f"/cases/{world.cases['ACME']}/{suffix}")
    assert own.status_code == 200

    beta = world.get("ACME", f"/cases/{world.cases['BETA']}/{suffix}")
    missing = world.get("ACME", f"/cases/{MISSING}/{suffix}")
    assert beta.status_code == missing.status_code == 404
    assert "BETA" not in beta.text and "secret problem" not in beta.text
    # The same words as for a case that was never opened: guessing learns nothing.
    assert beta.json()["error"]["message"] == missing.json()["error"]["message"].replace(
        str(MISSING), str(world.cases["BETA"]))


@pytest.mark.parametrize("suffix", ["report.html", "report.pdf"])
def test_refusals_answer_the_error_document_and_write_nothing(
    world: World, suffix: str
) -> None:
    case_id = world.cases["ACME"]
    assert world.get("viewer", f"/cases/{case_id}/{suffix}").status_code == 200  # token used
    before = snapshot(world.url)

    anonymous = world.get(None, f"/cases/{case_id}/{suffix}")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    for bad in ("0", "abc", str(2**31)):
        refused = world.get("viewer", f"/cases/{bad}/{suffix}")
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["error"]["field"] == "case_id"
    assert world.get("viewer", f"/cases/{MISSING}/{suffix}").json()["error"] == {
        "code": "not_found", "message": f"case {MISSING} does not exist", "field": "case"}

    assert snapshot(world.url) == before


def test_a_supplier_never_sees_another_suppliers_linked_case(
    world: World, policy: DeadlinePolicy
) -> None:
    # Recurrence links join cases of one supplier; a link opened by hand may not.
    Story(world.url, policy).open(title="Beta's follow-up", supplier="BETA",
                                  linked_case_id=world.cases["ACME"])
    path = f"/cases/{world.cases['ACME']}/report.html"

    assert "Beta&#39;s follow-up" in world.get("viewer", path).text
    supplier_copy = world.get("ACME", path)
    assert supplier_copy.status_code == 200
    assert "follow-up" not in supplier_copy.text and "Linked cases" not in supplier_copy.text
