"""The submissions API (api/routes/submissions.py), mounted under /api/v1 as api/app.py will:
suppliers submit for their own cases, the quality team lists, accepts and rejects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.api.app import PREFIX
from capaflow.api.routes import submissions as submission_routes
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.conftest import open_8d

CONTAINMENT = {"containment": "Sorted the stock at ACME and in transit; 14 quarantined."}


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
def api(
    db_url: str, policy: DeadlinePolicy, fast_password_hashing: None
) -> Iterator[Api]:
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
    # What api/app.py will do once the router is listed there.
    app.include_router(submission_routes.router, prefix=PREFIX)
    with TestClient(app) as client:
        yield Api(client=client, url=db_url, tokens=tokens, cases=cases)


def test_supplier_submits_and_the_lead_accepts_through_the_api(api: Api) -> None:
    case = api.cases["ACME"]
    made = api.post("ACME", f"/cases/{case}/submissions",
                    {"trigger": "contain", "fields": CONTAINMENT, "note": "more tomorrow"})
    assert made.status_code == 201, made.text
    submission = made.json()
    assert submission["status"] == "pending" and submission["submitted_by"] == "supplier:ACME"
    listed = api.get("lead", "/submissions").json()
    assert [s["id"] for s in listed] == [submission["id"]]
    accepted = api.post("lead", f"/submissions/{submission['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    document = accepted.json()
    assert document["submission"]["status"] == "accepted"
    assert document["step"]["case"]["state"] == "root_cause"
    assert document["step"]["event"]["fields"] == CONTAINMENT
    shown = api.get("ACME", f"/cases/{case}").json()
    assert shown["state"] == "root_cause"


def test_supplier_sees_only_its_own_submissions(api: Api) -> None:
    acme = api.post("ACME", f"/cases/{api.cases['ACME']}/submissions",
                    {"trigger": "contain", "fields": CONTAINMENT}).json()
    beta = api.post("BETA", f"/cases/{api.cases['BETA']}/submissions",
                    {"trigger": "contain", "fields": {"containment": "BETA's own words"}}).json()
    assert [s["id"] for s in api.get("ACME", "/submissions").json()] == [acme["id"]]
    assert [s["id"] for s in api.get("lead", "/submissions").json()] == [acme["id"], beta["id"]]
    for path in (f"/submissions/{beta['id']}", f"/submissions?case={api.cases['BETA']}",
                 "/submissions?supplier=BETA"):
        answer = api.get("ACME", path)
        assert answer.status_code == 404, path
        assert "BETA's own words" not in answer.text


def test_another_suppliers_case_is_404_and_nothing_is_written(api: Api) -> None:
    before = snapshot(api.url)
    answer = api.post("ACME", f"/cases/{api.cases['BETA']}/submissions",
                      {"trigger": "contain", "fields": CONTAINMENT})
    missing = api.post("ACME", "/cases/99999/submissions",
                       {"trigger": "contain", "fields": CONTAINMENT})
    assert answer.status_code == missing.status_code == 404
    assert answer.json()["error"]["message"] == f"case {api.cases['BETA']} does not exist"
    assert "BETA" not in answer.text
    assert snapshot(api.url) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trigger": "contain", "fields": {}}, "containment"),
        ({"trigger": "contain", "fields": {"containment": "x", "oops": "y"}}, "oops"),
        ({"trigger": "contain", "fields": CONTAINMENT, "extra": 1}, "extra"),
        ({"trigger": "explode", "fields": CONTAINMENT}, "trigger"),
        ({"trigger": "contain", "fields": {"containment": "a\u0000b"}}, "fields.containment"),
    ],
)
def test_bad_submissions_are_422_naming_the_field(api: Api, body: Any, field: str) -> None:
    before = snapshot(api.url)
    answer = api.post("ACME", f"/cases/{api.cases['ACME']}/submissions", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert snapshot(api.url) == before


def test_a_step_not_owed_is_409_listing_what_is(api: Api) -> None:
    answer = api.post("ACME", f"/cases/{api.cases['ACME']}/submissions",
                      {"trigger": "apply_short_term_fix", "fields": {"short_term_fix": "x"}})
    assert answer.status_code == 409
    assert answer.json()["error"]["allowed"] == ["contain"]


def test_roles_staff_submit_nothing_viewers_decide_nothing(api: Api) -> None:
    made = api.post("ACME", f"/cases/{api.cases['ACME']}/submissions",
                    {"trigger": "contain", "fields": CONTAINMENT}).json()
    before = snapshot(api.url)
    assert api.post("lead", f"/cases/{api.cases['ACME']}/submissions",
                    {"trigger": "contain", "fields": CONTAINMENT}).status_code == 403
    assert api.post("viewer", f"/submissions/{made['id']}/accept").status_code == 403
    assert api.post("viewer", f"/submissions/{made['id']}/reject",
                    {"reason": "no"}).status_code == 403
    assert api.post("ACME", f"/submissions/{made['id']}/accept").status_code == 403
    assert snapshot(api.url) == before


def test_reject_needs_a_reason_and_accept_after_the_case_moved_is_409(api: Api) -> None:
    case = api.cases["ACME"]
    made = api.post("ACME", f"/cases/{case}/submissions",
                    {"trigger": "contain", "fields": CONTAINMENT}).json()
    before = snapshot(api.url)
    for body in ({}, {"reason": "  "}):
        answer = api.post("lead", f"/submissions/{made['id']}/reject", body)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == "reason"
    assert snapshot(api.url) == before
    moved = api.post("lead", f"/cases/{case}/advance",
                     {"trigger": "contain", "fields": {"containment": "done by us"}})
    assert moved.status_code == 200, moved.text
    before = snapshot(api.url)
    late = api.post("lead", f"/submissions/{made['id']}/accept")
    assert late.status_code == 409
    assert snapshot(api.url) == before
    rejected = api.post("lead", f"/submissions/{made['id']}/reject",
                        {"reason": "We contained it ourselves."})
    assert rejected.status_code == 200 and rejected.json()["reason"] == "We contained it ourselves."
