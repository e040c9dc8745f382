"""/api/v1/cases/{id}/comments (docs/architecture.md, "The supplier conversation"): a supplier
token reads only the shared comments of its own case, and its case document shows no internal
note either; a viewer reads all and posts nothing; refusals name the field and write
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.api.app import PREFIX
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.conftest import open_8d


@dataclass
class Api:
    client: TestClient
    url: str
    tokens: dict[str, str]
    cases: dict[str, int]

    def get(self, who: str, path: str) -> Any:
        return self.client.get(f"{PREFIX}{path}", headers=self._auth(who))

    def post(self, who: str, path: str, body: Any = None) -> Any:
        return self.client.post(f"{PREFIX}{path}", headers=self._auth(who), json=body)

    def _auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def api(db_url: str, policy: DeadlinePolicy, fast_password_hashing: None) -> Iterator[Api]:
    tokens: dict[str, str] = {}
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="lead", role="quality_lead", password="lead-password-1", now=T0)
        add_user(session, name="viewer", role="viewer", password="view-password-1", now=T0)
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Corp", contact=None,
                         quality_head=None, executive=None, now=T0)
        cases = {code: open_8d(session, code, policy) for code in ("ACME", "BETA")}
        for who in ("lead", "viewer"):
            tokens[who] = create_token(session, user_name=who, now=T0)[1]
        for code in ("ACME", "BETA"):
            tokens[code] = create_token(session, supplier_code=code, now=T0)[1]
    app = create_app(Settings(database_url=db_url, now=isoformat(T0), routes="no-routes.toml"))
    with TestClient(app) as client:
        yield Api(client=client, url=db_url, tokens=tokens, cases=cases)


def _bodies(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [c["body"] for c in answer.json()["comments"]]


def test_supplier_token_reads_only_shared_comments_in_the_thread_and_the_case(api: Api) -> None:
    case = api.cases["ACME"]
    asked = api.post("lead", f"/cases/{case}/comments", {"body": "Which lots are affected?"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["author_kind"] == "lead" and asked.json()["internal"] is False
    assert api.post("lead", f"/cases/{case}/comments",
                    {"body": "Second time this quarter.", "internal": True}).status_code == 201
    replied = api.post("ACME", f"/cases/{case}/comments", {"body": "Lots L-17 and L-18."})
    assert replied.status_code == 201, replied.text
    assert replied.json()["author"] == "supplier:ACME"

    shared = ["Which lots are affected?", "Lots L-17 and L-18."]
    everything = ["Which lots are affected?", "Second time this quarter.", "Lots L-17 and L-18."]
    assert _bodies(api.get("ACME", f"/cases/{case}/comments")) == shared
    assert _bodies(api.get("ACME", f"/cases/{case}")) == shared
    assert _bodies(api.get("lead", f"/cases/{case}/comments")) == everything
    assert _bodies(api.get("viewer", f"/cases/{case}")) == everything
    # nor in the case's trail, whose comment events hold the text's hash only
    assert "Second time" not in api.get("ACME", f"/cases/{case}").text


def test_another_suppliers_thread_is_a_404_and_nothing_is_written(api: Api) -> None:
    case = api.cases["BETA"]
    before = snapshot(api.url)
    assert api.get("ACME", f"/cases/{case}/comments").status_code == 404
    refused = api.post("ACME", f"/cases/{case}/comments", {"body": "hello"})
    assert refused.status_code == 404
    assert refused.json()["error"]["field"] == "case"
    assert snapshot(api.url) == before


def test_a_viewer_cannot_post_403_and_nothing_is_written(api: Api) -> None:
    before = snapshot(api.url)
    refused = api.post("viewer", f"/cases/{api.cases['ACME']}/comments", {"body": "hi"})
    assert refused.status_code == 403
    assert snapshot(api.url) == before


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "  "}, {"body": "z" * 5001}])
def test_a_missing_blank_or_too_long_body_is_a_422_naming_body_and_nothing_is_written(
    api: Api, body: dict[str, Any],
) -> None:
    before = snapshot(api.url)
    refused = api.post("lead", f"/cases/{api.cases['ACME']}/comments", body)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "body"
    assert snapshot(api.url) == before


def test_a_supplier_internal_note_is_a_422_naming_internal(api: Api) -> None:
    before = snapshot(api.url)
    refused = api.post("ACME", f"/cases/{api.cases['ACME']}/comments",
                       {"body": "psst", "internal": True})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "internal"
    assert snapshot(api.url) == before
