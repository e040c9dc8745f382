"""POST /notifications/{id}/retry: a failed notice back in line, as `capa notify retry`; the
quality team's writers only (the outbox is internal: a supplier never sees it)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from capaflow.calendars import isoformat
from capaflow.models import Notification
from capaflow.models.db import get_engine, session_scope
from tests.api.conftest import World
from tests.conftest import T0
from tests.helpers import capa, snapshot


@pytest.fixture
def notices(world: World) -> dict[str, int]:
    """ACME's "case moved" notice failed after 5 attempts; BETA's still pending."""
    with session_scope(get_engine(world.url)) as session:
        by_case = {n.case_id: n for n in session.exec(
            select(Notification).order_by(col(Notification.id)))}
        failed = by_case[world.cases["ACME"]]
        failed.status, failed.attempts, failed.next_attempt_at = "failed", 5, None
        failed.last_error = "json://****: connection refused"
        session.add(failed)
        session.flush()
        pending = by_case[world.cases["BETA"]]
        assert failed.id is not None and pending.id is not None
        return {"failed": failed.id, "pending": pending.id}


def test_retry_puts_a_failed_notice_back_in_line(world: World, notices: dict[str, int]) -> None:
    response = world.post("manager", f"/notifications/{notices['failed']}/retry", {})
    assert response.status_code == 200, response.text
    document = response.json()
    assert (document["id"], document["status"], document["attempts"]) == (
        notices["failed"], "pending", 0)
    assert document["next_attempt_at"] == isoformat(T0)
    assert document["last_error"] is None
    # The same document as `capa notify list --json` shows for it now.
    cli = capa("notify", "list", "--case", str(world.cases["ACME"]), "--json", "--db",
               world.url, "--now", isoformat(T0))
    assert cli.exit_code == 0, cli.stderr
    [listed] = [n for n in json.loads(cli.stdout) if n["id"] == notices["failed"]]
    # Neither has a routes file, and each says which one it looked for (the app's settings
    # name one, the CLI looks in the test's working directory): the rest is the same.
    assert _roles(listed.pop("unreached_roles")) == _roles(document.pop("unreached_roles"))
    assert listed == document


def _roles(unreached: list[str]) -> list[str]:
    return [text.split(" ", 1)[0] for text in unreached]


def test_retrying_a_notice_that_has_not_failed_is_409_and_writes_nothing(
    world: World, notices: dict[str, int]
) -> None:
    before = snapshot(world.url)
    response = world.post("lead", f"/notifications/{notices['pending']}/retry", {})
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "notice"
    assert snapshot(world.url) == before


@pytest.mark.parametrize(("notice", "status", "field"), [
    ("424242", 404, "notice"),
    ("0", 422, "notice_id"),
    ("many", 422, "notice_id"),
    ("99999999999999999999", 422, "notice_id"),
])
def test_a_bad_or_unknown_notice_is_refused_naming_it_and_writes_nothing(
    world: World, notices: dict[str, int], notice: str, status: int, field: str
) -> None:
    before = snapshot(world.url)
    response = world.post("lead", f"/notifications/{notice}/retry", {})
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field
    assert snapshot(world.url) == before


@pytest.mark.parametrize("who", ["viewer", "ACME", "BETA"])
def test_only_the_quality_teams_writers_may_retry(
    world: World, notices: dict[str, int], who: str
) -> None:
    # A supplier is refused outright (403), like the outbox list: it is not its record to
    # see, whoever's case the notice is about.
    before = snapshot(world.url)
    response = world.post(who, f"/notifications/{notices['failed']}/retry", {})
    assert response.status_code == 403, response.text
    assert snapshot(world.url) == before


def test_retry_without_a_token_is_401(world: World, notices: dict[str, int]) -> None:
    before = snapshot(world.url)
    response = world.client.post(f"/api/v1/notifications/{notices['failed']}/retry")
    assert response.status_code == 401
    assert snapshot(world.url) == before
