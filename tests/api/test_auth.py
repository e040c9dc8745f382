"""401 for who is unknown, 403 for who may not: roles and the supplier's steps."""

from __future__ import annotations

import pytest
from sqlmodel import select

from capaflow.accounts import disable_user, revoke_token
from capaflow.accounts.tokens import token_hash
from capaflow.models import ApiToken
from capaflow.models.db import get_engine, session_scope
from tests.api.conftest import World
from tests.conftest import T0

CONTAIN = {"trigger": "contain", "fields": {"containment": "sorted stock"}}


def test_request_without_token_is_refused_with_401(world: World) -> None:
    response = world.client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", [
    "Bearer not-a-token", "Bearer ", "Basic bGVhZDpwdw==", "Bearer " + "x" * 5000,
])
def test_request_with_a_bad_token_is_refused_with_401(world: World, header: str) -> None:
    response = world.client.get("/api/v1/cases", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_write_without_token_is_401_even_with_a_bad_body(world: World) -> None:
    response = world.client.post("/api/v1/cases", json={"nonsense": 1})
    assert response.status_code == 401


def test_revoked_token_is_refused(world: World) -> None:
    assert world.get("lead", "/cases").status_code == 200
    with session_scope(get_engine(world.url)) as session:
        row = session.exec(
            select(ApiToken).where(ApiToken.token_hash == token_hash(world.tokens["lead"]))
        ).one()
        assert row.id is not None
        revoke_token(session, token_id=row.id, now=T0)
    assert world.get("lead", "/cases").status_code == 401


def test_disabled_users_token_is_refused(world: World) -> None:
    with session_scope(get_engine(world.url)) as session:
        disable_user(session, name="manager", now=T0)
    assert world.get("manager", "/cases").status_code == 401


@pytest.mark.parametrize(("path", "body"), [
    ("/cases", {"title": "x"}),
    ("/cases/{ACME}/advance", CONTAIN),
    ("/suppliers", {"code": "NEW", "name": "New"}),
    ("/defects", {"supplier": "ACME", "part": "P", "defect_code": "D"}),
    ("/inspections", {"supplier": "ACME", "part": "P", "lot": "L", "lot_size": 10,
                      "sampled": 10, "defects": 0}),
])
def test_viewer_may_read_but_every_write_is_403(world: World, path: str, body: dict[str, object]
                                                 ) -> None:
    response = world.post("viewer", path.format(**world.cases), body)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"


def test_a_suppliers_step_is_a_submission_the_lead_accepts(world: World) -> None:
    case = world.cases["ACME"]
    response = world.post("ACME", f"/cases/{case}/advance", CONTAIN)
    assert response.status_code == 202, response.text
    submission = response.json()
    assert submission["status"] == "pending" and submission["submitted_by"] == "supplier:ACME"
    assert world.get("lead", f"/cases/{case}").json()["state"] == "containment"  # not moved
    accepted = world.post("lead", f"/submissions/{submission['id']}/accept", {})
    assert accepted.status_code == 200, accepted.text
    assert world.get("lead", f"/cases/{case}").json()["state"] == "root_cause"


@pytest.mark.parametrize("trigger", ["close", "cancel", "reject", "reopen"])
def test_supplier_may_not_take_the_quality_teams_steps(world: World, trigger: str) -> None:
    response = world.post("ACME", f"/cases/{world.cases['ACME']}/advance",
                          {"trigger": trigger, "fields": {"reason": "we say so"}})
    assert response.status_code == 403


@pytest.mark.parametrize(("path", "body"), [
    ("/cases", {"title": "x"}),
    ("/suppliers", {"code": "NEW", "name": "New"}),
    ("/defects", {"supplier": "ACME", "part": "P", "defect_code": "D"}),
])
def test_supplier_may_not_write_anything_else(world: World, path: str,
                                              body: dict[str, object]) -> None:
    assert world.post("ACME", path, body).status_code == 403


def test_supplier_may_not_read_the_internal_outbox(world: World) -> None:
    assert world.get("ACME", "/notifications").status_code == 403
