"""Incidents through the REST API (docs/architecture.md, "Service quality control"): from
declaration to review, every refusal with its status, field and nothing written, and who may
do what (serving.incidents: managers and quality leads decide, service agents record steps,
viewers read, a supplier sees nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot

ROLES = {"agent": "service_agent", "desk": "service_manager", "lead": "quality_lead",
         "viewer": "viewer"}
OUTAGE = {"type": "power_outage", "severity": "S1", "title": "Hotel A dark"}


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


def test_an_incident_goes_from_declaration_to_review_through_the_api(api: Api) -> None:
    declared = api.ok("POST", "desk", "/incidents", OUTAGE, status=201)
    iid = declared["id"]
    assert (declared["state"], declared["owner"], len(declared["steps"])) == (
        "responding", "desk", 4)
    assert declared["steps"][0]["due_at"] == isoformat(T0 + timedelta(minutes=5))
    stepped = api.ok("POST", "agent", f"/incidents/{iid}/steps/2", {"note": "on site"})
    assert stepped["steps"][1]["done_by"] == "agent"
    closed = api.ok("POST", "lead", f"/incidents/{iid}/close", {"summary": "power back"})
    assert closed["state"] == "closed" and closed["review_due_at"] is not None
    reviewed = api.ok("POST", "desk", f"/incidents/{iid}/review",
                      {"cause": "worn cable", "factor": "machines", "open": "pdca"})
    assert reviewed["state"] == "reviewed" and reviewed["corrective_case"] is not None
    assert [i["id"] for i in api.ok("GET", "viewer", "/incidents")] == [iid]
    assert api.ok("GET", "viewer", "/incidents?open=true") == []
    assert api.ok("GET", "viewer", f"/incidents/{iid}")["factor"] == "machines"
    plans = {p["type"]: p for p in api.ok("GET", "viewer", "/incident-plans")}
    assert plans["power_outage"]["steps"][0]["targets_minutes"] == {"S1": 5}


def test_refusals_name_the_field_and_write_nothing(api: Api) -> None:
    iid = api.ok("POST", "desk", "/incidents", OUTAGE, status=201)["id"]
    api.refused("POST", "desk", "/incidents", {**OUTAGE, "type": "flood"}, status=422,
                field="type")
    api.refused("POST", "desk", "/incidents", {**OUTAGE, "type": "flood", "drill": True},
                status=422, field="type")
    api.refused("POST", "desk", "/incidents", {**OUTAGE, "severity": "S4"}, status=422,
                field="severity")
    api.refused("POST", "desk", "/incidents", {**OUTAGE, "department": "spa"}, status=422,
                field="department")
    api.refused("POST", "agent", f"/incidents/{iid}/steps/9", {}, status=422, field="step")
    api.refused("GET", "viewer", "/incidents/999", status=404, field="incident")
    api.refused("POST", "desk", f"/incidents/{iid}/review",
                {"cause": "x", "factor": "people"}, status=409)
    api.ok("POST", "agent", f"/incidents/{iid}/steps/1", {})
    api.refused("POST", "agent", f"/incidents/{iid}/steps/1", {}, status=409, field="step")
    api.ok("POST", "desk", f"/incidents/{iid}/close", {"summary": "ok"})
    api.refused("POST", "desk", f"/incidents/{iid}/review",
                {"cause": "x", "factor": "luck"}, status=422, field="factor")


def test_who_may_do_what_with_incidents(api: Api) -> None:
    iid = api.ok("POST", "lead", "/incidents", OUTAGE, status=201)["id"]
    # Agents carry out steps but do not declare, close or review; viewers only read.
    api.refused("POST", "agent", "/incidents", OUTAGE, status=403)
    api.refused("POST", "agent", f"/incidents/{iid}/close", {"summary": "x"}, status=403)
    api.refused("POST", "viewer", f"/incidents/{iid}/steps/1", {}, status=403)
    api.refused("POST", "viewer", "/incidents", OUTAGE, status=403)
    # A supplier sees nothing of them; without a token, nobody does.
    for path in ("/incidents", f"/incidents/{iid}", "/incident-plans"):
        api.refused("GET", "ACME", path, status=403)
        api.refused("GET", None, path, status=401)
    api.refused("POST", "ACME", "/incidents", OUTAGE, status=403)
