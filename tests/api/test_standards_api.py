"""Service standards, quality inspection rounds and findings through the REST API
(docs/architecture.md, "Service quality control"): a round from opened to closed, each
refusal with its status and field and nothing written, and who may do what
(serving.inspections: viewers read, suppliers see nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.cli.support import ok
from tests.conftest import T0
from tests.helpers import snapshot
from tests.standards.support import ALL_PASS, EXAMPLE

ROLES = {"inspector": "quality_lead", "desk": "service_manager", "agent": "service_agent",
         "viewer": "viewer"}


@dataclass
class Api:
    client: TestClient
    url: str
    tokens: dict[str, str]

    def call(self, method: str, who: str | None, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.request(method, f"/api/v1{path}", headers=headers, json=body)

    def ok(self, method: str, who: str, path: str, body: Any = None, status: int = 200) -> Any:
        answer = self.call(method, who, path, body)
        assert answer.status_code == status, answer.text
        return answer.json()

    def refused(self, method: str, who: str | None, path: str, body: Any = None, *,
                status: int, field: str | None = None) -> dict[str, Any]:
        before = snapshot(self.url)
        answer = self.call(method, who, path, body)
        assert answer.status_code == status, answer.text
        error: dict[str, Any] = answer.json()["error"]
        if field is not None:
            assert error["field"] == field, error
        assert snapshot(self.url) == before, "a refused request wrote something"
        return error


@pytest.fixture
def api(db_url: str, fast_password_hashing: None) -> Iterator[Api]:
    ok(db_url, "standard", "import", str(EXAMPLE), now=T0)
    ok(db_url, "person", "add", "Maria", "--team", "field", "--lead", now=T0)
    tokens: dict[str, str] = {}
    with session_scope(get_engine(db_url)) as session:
        for who, role in ROLES.items():
            add_user(session, name=who, role=role, password=f"{who}-password-1", now=T0)
            tokens[who] = create_token(session, user_name=who, now=T0)[1]
        add_supplier(session, code="ACME", name="ACME Corp", contact=None, quality_head=None,
                     executive=None, now=T0)
        tokens["ACME"] = create_token(session, supplier_code="ACME", now=T0)[1]
    settings = Settings(database_url=db_url, now=isoformat(T0), routes="no-routes.toml")
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        yield Api(client=client, url=db_url, tokens=tokens)


ROUND = {"department": "field_service", "position": "technician", "inspector": "Ines"}


def _results(**failed: str) -> dict[str, Any]:
    results: dict[str, Any] = {code: {"passed": True} for code in ALL_PASS}
    for code, note in failed.items():
        results[code.replace("_", "-")] = {"passed": False, "note": note}
    return {"results": results}


def test_a_round_goes_from_opened_to_closed_through_the_api(api: Api) -> None:
    standards = api.ok("GET", "viewer", "/standards")["standards"]
    assert [(s["department"], s["version"]) for s in standards] == [("field_service", 1)]
    standard = api.ok("GET", "viewer", "/standards/field_service/technician?version=1")
    assert len(standard["items"]) == 7
    opened = api.ok("POST", "inspector", "/rounds", ROUND, status=201)
    assert opened["state"] == "owed" and opened["inspector"] == "Ines"
    assert [i["passed"] for i in opened["items"]] == [None] * 7
    recorded = api.ok("POST", "inspector", f"/rounds/{opened['id']}/record",
                      _results(FS_02="no badge"))
    assert recorded["state"] == "recorded" and recorded["score"] == round(1200 / 13, 2)
    finding = recorded["findings"][0]
    assert finding["owner"] == "Maria" and finding["item_code"] == "FS-02"
    listed = api.ok("GET", "viewer", "/findings?open=true&department=field_service")
    assert [f["id"] for f in listed["findings"]] == [finding["id"]]
    closed = api.ok("POST", "agent", f"/findings/{finding['id']}/close",
                    {"action": "Badges reissued"})
    assert closed["state"] == "closed"
    assert api.ok("GET", "viewer", f"/rounds/{opened['id']}")["state"] == "closed"
    rounds = api.ok("GET", "viewer", "/rounds?department=field_service&state=closed")
    assert [r["id"] for r in rounds["rounds"]] == [opened["id"]]


def test_bad_input_is_named_with_its_status_and_writes_nothing(api: Api) -> None:
    api.refused("GET", "viewer", "/standards/nowhere/technician", status=422,
                field="department")
    api.refused("GET", "viewer", "/standards/field_service/technician?version=5", status=404,
                field="version")
    api.refused("POST", "inspector", "/rounds", {**ROUND, "department": "nowhere"},
                status=422, field="department")
    api.refused("GET", "viewer", "/rounds?state=lost", status=422, field="state")
    opened = api.ok("POST", "inspector", "/rounds", ROUND, status=201)
    path = f"/rounds/{opened['id']}/record"
    missing = _results()
    del missing["results"]["FS-07"]
    api.refused("POST", "inspector", path, missing, status=422, field="item")
    api.refused("POST", "inspector", path,
                {**_results(), "owners": {"FS-01": "Piet"}}, status=422, field="owner")
    api.refused("GET", "viewer", "/rounds/99999", status=404, field="round")
    api.ok("POST", "inspector", path, _results())
    api.refused("POST", "inspector", path, _results(), status=409, field="trigger")
    api.refused("POST", "agent", "/findings/99999/close", {"action": "x"}, status=404,
                field="finding")


def test_viewers_only_read_and_suppliers_see_nothing(api: Api) -> None:
    api.refused("POST", "viewer", "/rounds", ROUND, status=403)
    api.refused("POST", "agent", "/rounds", ROUND, status=403)
    opened = api.ok("POST", "desk", "/rounds", ROUND, status=201)
    api.refused("POST", "viewer", f"/rounds/{opened['id']}/record", _results(), status=403)
    for path in ("/standards", "/rounds", f"/rounds/{opened['id']}", "/findings",
                 "/standards/field_service/technician"):
        api.refused("GET", "ACME", path, status=403)
        api.refused("GET", None, path, status=401)
    recorded = api.ok("POST", "inspector", f"/rounds/{opened['id']}/record",
                      _results(FS_01="late"))
    finding = recorded["findings"][0]["id"]
    api.refused("POST", "viewer", f"/findings/{finding}/close", {"action": "x"}, status=403)
    api.refused("POST", "ACME", f"/findings/{finding}/close", {"action": "x"}, status=403)
