"""GET /api/v1/reviews/{month}[?department=] answers the document `capa review month --json`
prints, to any member of the quality team or the desk; POST /reviews/{month}/close is the
service manager's; suppliers are refused; bad input is a 422 naming its field, nothing written
(docs/architecture.md, "Service quality control")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.cli.support import iso
from tests.helpers import capa, snapshot
from tests.servicedesk.report_data import MONTH, REPORT_NOW, DataSet, build


@dataclass
class Site:
    client: TestClient
    data: DataSet
    tokens: dict[str, str]

    def call(self, method: str, who: str | None, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.request(method, f"/api/v1{path}", headers=headers)


@pytest.fixture
def site(db_url: str, tmp_path: Path, fast_password_hashing: None) -> Iterator[Site]:
    data = build(db_url, tmp_path)
    with session_scope(get_engine(db_url)) as session:
        tokens = {}
        for name, role in (("viewer", "viewer"), ("manager", "service_manager"),
                           ("agent", "service_agent")):
            add_user(session, name=name, role=role, password=f"{name}-password-1",
                     now=REPORT_NOW)
            tokens[name] = create_token(session, user_name=name, now=REPORT_NOW)[1]
        add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                     executive=None, now=REPORT_NOW)
        tokens["ACME"] = create_token(session, supplier_code="ACME", now=REPORT_NOW)[1]
    settings = Settings(database_url=db_url, now=isoformat(REPORT_NOW), config=data.config,
                        routes="no-routes.toml")
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        yield Site(client=client, data=data, tokens=tokens)


def test_the_route_answers_the_clis_document(site: Site) -> None:
    answer = site.call("GET", "viewer", f"/reviews/{MONTH}?department=field_service")
    assert answer.status_code == 200, answer.text
    printed = capa("review", "month", MONTH, "--department", "field_service", "--json",
                   "--db", site.data.url, "--config", site.data.config, "--now",
                   iso(REPORT_NOW))
    assert answer.json() == json.loads(printed.stdout)
    assert [d["code"] for d in answer.json()["departments"]] == ["field_service"]


def test_the_service_manager_closes_the_month_and_opens_the_cycle(site: Site) -> None:
    answer = site.call("POST", "manager", f"/reviews/{MONTH}/close")
    assert answer.status_code == 200, answer.text
    assert [(c["department"], c["indicator"]) for c in answer.json()["opened"]] == [
        ("field_service", "sla_attainment")]
    again = site.call("POST", "manager", f"/reviews/{MONTH}/close")
    assert (again.json()["kept"], again.json()["opened"]) == (0, [])


@pytest.mark.parametrize(("path", "field"), [
    ("/reviews/2026-13", "month"), ("/reviews/november", "month"), ("/reviews/2027-01", "month"),
    (f"/reviews/{MONTH}?department=spa", "department"),
])
def test_bad_input_is_a_422_naming_its_field(site: Site, path: str, field: str) -> None:
    answer = site.call("GET", "viewer", path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


def test_closing_a_month_not_ended_is_a_422_and_writes_nothing(site: Site) -> None:
    before = snapshot(site.data.url)
    answer = site.call("POST", "manager", "/reviews/2026-12/close")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "month"
    assert snapshot(site.data.url) == before


def test_readers_may_not_close_and_suppliers_see_nothing(site: Site) -> None:
    before = snapshot(site.data.url)
    for who in ("viewer", "agent"):
        assert site.call("POST", who, f"/reviews/{MONTH}/close").status_code == 403
    assert site.call("GET", "ACME", f"/reviews/{MONTH}").status_code == 403
    assert site.call("POST", "ACME", f"/reviews/{MONTH}/close").status_code == 403
    assert site.call("GET", None, f"/reviews/{MONTH}").status_code == 401
    assert snapshot(site.data.url) == before
