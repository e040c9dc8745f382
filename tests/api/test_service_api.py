"""The service desk through the REST API (issue 10, "Intake" and the lifecycle): a request
from intake to closed, every refusal with its status, field and nothing written, and who may
do what (accounts.users.SERVICE_ROLES, DESK_MANAGER_ROLES; a supplier sees nothing)."""

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
from tests.conftest import T0
from tests.helpers import beside_guesses, snapshot

PASSWORDS = {"agent": "agent-password-1", "desk": "desk-password-1",
             "lead": "lead-password-1", "viewer": "view-password-1"}
ROLES = {"agent": "service_agent", "desk": "service_manager", "lead": "quality_lead",
         "viewer": "viewer"}


@dataclass
class Desk:
    client: TestClient
    url: str
    tokens: dict[str, str]

    def call(self, method: str, who: str | None, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.request(method, f"/api/v1{path}", headers=headers, json=body)

    def ok(self, method: str, who: str, path: str, body: Any = None,
           status: int = 200) -> Any:
        answer = self.call(method, who, path, body)
        assert answer.status_code == status, answer.text
        return answer.json()

    def refused(self, method: str, who: str | None, path: str, body: Any = None, *,
                status: int, field: str | None = None) -> dict[str, Any]:
        """The refusal's error document, after checking that nothing was written."""
        # A wrong password's miss is counted on purpose (accounts.throttle); nothing else.
        before = beside_guesses(snapshot(self.url))
        answer = self.call(method, who, path, body)
        assert answer.status_code == status, answer.text
        error: dict[str, Any] = answer.json()["error"]
        if field is not None:
            assert error["field"] == field, error
            assert field in error["message"] or status in (401, 403, 404), error
        assert beside_guesses(snapshot(self.url)) == before, "a refused request wrote something"
        return error


@pytest.fixture
def desk(db_url: str, fast_password_hashing: None) -> Iterator[Desk]:
    tokens: dict[str, str] = {}
    with session_scope(get_engine(db_url)) as session:
        for who, role in ROLES.items():
            add_user(session, name=who, role=role, password=PASSWORDS[who], now=T0)
            tokens[who] = create_token(session, user_name=who, now=T0)[1]
        add_supplier(session, code="ACME", name="ACME Corp", contact=None, quality_head=None,
                     executive=None, now=T0)
        tokens["ACME"] = create_token(session, supplier_code="ACME", now=T0)[1]
    settings = Settings(database_url=db_url, now=isoformat(T0), routes="no-routes.toml")
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        built = Desk(client=client, url=db_url, tokens=tokens)
        built.ok("POST", "desk", "/customers",
                 {"code": "KEY1", "name": "Key Account One", "tier": "key"}, status=201)
        built.ok("POST", "desk", "/people",
                 {"name": "ann", "team": "desk", "skills": [], "lead": True}, status=201)
        yield built


BILLING = {"customer": "KEY1", "kind": "complaint", "severity": "S3", "category": "billing",
           "channel": "phone", "title": "Invoice charged twice",
           "description": "March invoice debited twice."}


def _step(desk: Desk, request_id: int, trigger: str, fields: dict[str, str] | None = None,
          who: str = "agent", **extra: Any) -> dict[str, Any]:
    body = {"trigger": trigger, "fields": fields or {}, **extra}
    found: dict[str, Any] = desk.ok("POST", who, f"/service-requests/{request_id}/advance", body)
    return found


def test_a_request_goes_from_intake_to_closed_through_the_api(desk: Desk) -> None:
    # Nobody is on the office team yet: the request stays received, flagged.
    opened = desk.ok("POST", "agent", "/service-requests", BILLING, status=201)
    rid = opened["id"]
    assert opened["state"] == "received" and opened["assignee"] is None
    assert opened["dispatch_flag"] and opened["tier"] == "key"
    assert {c["key"] for c in opened["clocks"]} == {"first_response", "resolution"}
    assert all(c["status"] == "running" for c in opened["clocks"])

    desk.ok("POST", "desk", "/people", {"name": "olga", "team": "office"}, status=201)
    dispatched = _step(desk, rid, "dispatch", {"assignee": "olga"})
    assert dispatched["state"] == "dispatched" and dispatched["assignee"] == "olga"
    acknowledged = _step(desk, rid, "acknowledge", {"response": "Called back: checking."})
    assert acknowledged["state"] == "in_progress" and acknowledged["responded_at"]
    assert acknowledged["response"] == "Called back: checking."

    held = _step(desk, rid, "hold", {"reason": "Waiting for the bank statement."})
    assert held["on_hold"] is True and held["state"] == "in_progress"
    resolution = next(c for c in held["clocks"] if c["key"] == "resolution")
    assert resolution["status"] == "on_hold"
    resumed = _step(desk, rid, "resume", version=held["version"])
    assert resumed["on_hold"] is False
    assert next(c for c in resumed["clocks"] if c["key"] == "resolution")["status"] == "running"

    resolved = _step(desk, rid, "resolve", {"resolution": "Second debit refunded."})
    # A key customer is always followed up: the survey (or a call) is owed.
    assert resolved["state"] == "follow_up" and resolved["sampled"] is True

    closed = desk.ok("POST", "agent", f"/service-requests/{rid}/follow-up", {
        "solved": True, "overall": 5, "nps": 9, "reliability": 5, "assurance": 4,
        "tangibles": 4, "empathy": 5, "responsiveness": 4, "comment": "Quick refund."})
    assert closed["state"] == "closed" and closed["outcome"] == "solved"
    answer = closed["follow_ups"][-1]
    assert answer["status"] == "answered" and answer["overall"] == 5 and answer["nps"] == 9
    actions = [e["action"] for e in closed["events"]]
    assert actions[0] == "open" and actions[-1] == "close"
    assert {"dispatch", "acknowledge", "hold", "resume", "resolve", "follow_up"} <= set(actions)

    shown = desk.ok("GET", "viewer", f"/service-requests/{rid}")
    assert shown == closed
    listed = desk.ok("GET", "viewer", "/service-requests?state=closed&customer=KEY1")
    assert [r["id"] for r in listed] == [rid]


def test_requests_are_listed_newest_first_and_filtered(desk: Desk) -> None:
    first = desk.ok("POST", "agent", "/service-requests",
                    {**BILLING, "category": "general", "title": "First"}, status=201)
    second = desk.ok("POST", "agent", "/service-requests",
                     {**BILLING, "title": "Second"}, status=201)
    assert first["assignee"] == "ann"  # the only one on the desk team
    ids = [r["id"] for r in desk.ok("GET", "viewer", "/service-requests")]
    assert ids == [second["id"], first["id"]]
    assert [r["id"] for r in desk.ok("GET", "viewer", "/service-requests?assignee=ann")] == [
        first["id"]]
    assert [r["id"] for r in desk.ok("GET", "viewer", "/service-requests?state=received")] == [
        second["id"]]
    desk.refused("GET", "viewer", "/service-requests?state=lost", status=422, field="state")
    desk.refused("GET", "viewer", "/service-requests?customer=NOPE", status=404,
                 field="customer")


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"customer": "NOPE"}, 404, "customer"),
    ({"kind": "rumour"}, 422, "kind"),
    ({"severity": "S9"}, 422, "severity"),
    ({"category": "weather"}, 422, "category"),
    ({"channel": "pigeon"}, 422, "channel"),
    ({"title": "  "}, 422, "title"),
    ({"assignee": "nobody"}, 404, "assignee"),
    ({"colour": "red"}, 422, "colour"),
])
def test_bad_intake_is_refused_naming_the_field_and_writes_nothing(
    desk: Desk, change: dict[str, str], status: int, field: str
) -> None:
    desk.refused("POST", "agent", "/service-requests", {**BILLING, **change}, status=status,
                 field=field)


def test_refused_steps_name_the_field_or_the_allowed_steps_and_write_nothing(
    desk: Desk,
) -> None:
    rid = desk.ok("POST", "agent", "/service-requests",
                  {**BILLING, "category": "general"}, status=201)["id"]
    path = f"/service-requests/{rid}/advance"
    # Not allowed in this state: 409 with the steps that are.
    error = desk.refused("POST", "agent", path, {"trigger": "close", "fields": {}},
                         status=409)
    assert "acknowledge" in error["allowed"]
    desk.refused("POST", "agent", path, {"trigger": "resolve_all", "fields": {}}, status=422,
                 field="trigger")
    desk.refused("POST", "agent", path, {"trigger": "hold", "fields": {}}, status=422,
                 field="reason")
    desk.refused("POST", "agent", path, {"trigger": "acknowledge", "fields": {},
                                         "version": 1}, status=409)
    desk.refused("POST", "agent", path, {"trigger": "escalate", "fields": {"severity": "S4"}},
                 status=422, field="severity")
    # Dispatch to someone away: bad input naming the assignee.
    desk.ok("POST", "desk", "/people", {"name": "bob", "team": "desk"}, status=201)
    desk.ok("POST", "desk", "/people/bob/absences",
            {"from": "2026-03-01T00:00:00+00:00", "to": "2026-03-09T00:00:00+00:00"},
            status=201)
    desk.refused("POST", "agent", path, {"trigger": "dispatch",
                                         "fields": {"assignee": "bob", "reason": "swap"}},
                 status=422, field="assignee")
    _step(desk, rid, "hold", {"reason": "Waiting on the customer."})
    error = desk.refused("POST", "agent", path,
                         {"trigger": "resolve", "fields": {"resolution": "done"}}, status=409)
    assert "resume" in error["allowed"]
    desk.refused("POST", "agent", "/service-requests/999999/advance",
                 {"trigger": "resume", "fields": {}}, status=404)
    desk.refused("GET", "agent", "/service-requests/999999", status=404)


def test_close_and_cancel_are_signed_decisions(desk: Desk) -> None:
    rid = desk.ok("POST", "agent", "/service-requests",
                  {**BILLING, "category": "general"}, status=201)["id"]
    path = f"/service-requests/{rid}/advance"
    reason = {"reason": "Opened twice by mistake."}
    cancel: dict[str, Any] = {"trigger": "cancel", "fields": reason}
    desk.refused("POST", "agent", path, {"trigger": "cancel", "fields": {}},
                 status=422, field="reason")
    desk.refused("POST", "agent", path, cancel, status=422, field="password")
    desk.refused("POST", "agent", path, {**cancel, "password": "not-my-password"},
                 status=422, field="password")
    # A quality lead reads the desk but takes no step of it, signed or not.
    desk.refused("POST", "lead", path, {**cancel, "password": PASSWORDS["lead"]}, status=403)
    cancelled = _step(desk, rid, "cancel", reason, password=PASSWORDS["agent"])
    assert cancelled["state"] == "cancelled"
    signature = cancelled["events"][-1]["fields"]["signature"]
    assert signature["signed_by"] == "agent" and "service request" in signature["meaning"]


def test_follow_up_scores_out_of_range_are_refused(desk: Desk) -> None:
    rid = desk.ok("POST", "agent", "/service-requests",
                  {**BILLING, "category": "general"}, status=201)["id"]
    path = f"/service-requests/{rid}/follow-up"
    # Not resolved yet: a conflict.
    desk.refused("POST", "agent", path, {"solved": True, "overall": 4}, status=409)
    _step(desk, rid, "resolve", {"resolution": "Explained the invoice."})
    desk.refused("POST", "agent", path, {"solved": True, "overall": 9}, status=422,
                 field="overall")
    desk.refused("POST", "agent", path, {"solved": True, "overall": 4, "nps": 11},
                 status=422, field="nps")
    desk.refused("POST", "agent", path, {"solved": True, "overall": 4, "empathy": 0},
                 status=422, field="empathy")
    reopened = desk.ok("POST", "agent", path, {"solved": False, "overall": 2})
    assert reopened["state"] == "in_progress"


def test_customers_and_people_are_kept_by_managers_and_read_by_the_team(desk: Desk) -> None:
    assert [c["code"] for c in desk.ok("GET", "viewer", "/customers")] == ["KEY1"]
    desk.refused("POST", "desk", "/customers", {"code": "KEY1", "name": "Again", "tier": "key"},
                 status=409, field="code")
    desk.refused("POST", "desk", "/customers", {"code": "C2", "name": "Two", "tier": "gold"},
                 status=422, field="tier")
    desk.refused("POST", "desk", "/customers",
                 {"code": "C2", "name": "Two", "tier": "basic", "contact": "not a url"},
                 status=422, field="contact")
    desk.refused("POST", "agent", "/customers", {"code": "C2", "name": "Two", "tier": "basic"},
                 status=403)
    desk.refused("POST", "agent", "/people", {"name": "carl", "team": "desk"}, status=403)
    desk.refused("POST", "desk", "/people", {"name": "ann", "team": "desk"}, status=409,
                 field="name")
    desk.refused("POST", "desk", "/people/nobody/absences",
                 {"from": "2026-03-01T00:00:00+00:00", "to": "2026-03-09T00:00:00+00:00"},
                 status=404, field="person")
    desk.refused("POST", "desk", "/people/ann/absences",
                 {"from": "2026-03-09T00:00:00+00:00", "to": "2026-03-01T00:00:00+00:00"},
                 status=422, field="to")
    desk.refused("POST", "desk", "/people/ann/absences",
                 {"from": "next week", "to": "2026-03-01T00:00:00+00:00"},
                 status=422, field="from")
    people = desk.ok("GET", "agent", "/people")
    assert [(p["name"], p["team"], p["lead"]) for p in people] == [("ann", "desk", True)]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/service-requests"), ("GET", "/service-requests/1"), ("GET", "/customers"),
    ("GET", "/people"), ("POST", "/service-requests"),
    ("POST", "/service-requests/1/advance"), ("POST", "/service-requests/1/follow-up"),
])
def test_a_supplier_sees_nothing_of_the_service_desk(desk: Desk, method: str,
                                                     path: str) -> None:
    desk.ok("POST", "agent", "/service-requests", {**BILLING, "category": "general"},
            status=201)
    body = {"trigger": "resume", "fields": {}} if path.endswith("advance") else (
        {"solved": True, "overall": 5} if path.endswith("follow-up") else
        BILLING if method == "POST" else None)
    error = desk.refused(method, "ACME", path, body, status=403)
    assert "Invoice" not in str(error)
    desk.refused(method, None, path, body, status=401)


def test_readers_may_not_open_or_step_requests(desk: Desk) -> None:
    rid = desk.ok("POST", "desk", "/service-requests", {**BILLING, "category": "general"},
                  status=201)["id"]
    for who in ("viewer", "lead"):
        desk.refused("POST", who, "/service-requests", BILLING, status=403)
        desk.refused("POST", who, f"/service-requests/{rid}/advance",
                     {"trigger": "acknowledge", "fields": {"response": "hi"}}, status=403)
        desk.refused("POST", who, f"/service-requests/{rid}/follow-up",
                     {"solved": True, "overall": 5}, status=403)
        assert desk.ok("GET", who, f"/service-requests/{rid}")["id"] == rid


def test_a_request_is_not_stepped_around_the_desk_through_the_cases_route(desk: Desk) -> None:
    """A hold through /cases would not stop the SLA clocks: refused, pointing to the desk."""
    rid = desk.ok("POST", "agent", "/service-requests", {**BILLING, "category": "general"},
                  status=201)["id"]
    error = desk.refused("POST", "lead", f"/cases/{rid}/advance",
                         {"trigger": "hold", "fields": {"reason": "Waiting."}}, status=409,
                         field="case")
    assert "/service-requests/" in error["message"]
