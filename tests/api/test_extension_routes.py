"""The API's edits and extensions (docs/architecture.md, "Edits and extensions"): a supplier
asks for more time on its own case only, a viewer changes nothing, the lead's decisions are
signed, and every refusal writes nothing."""

from __future__ import annotations

from capaflow.calendars import isoformat
from tests.api.conftest import World
from tests.conftest import T0
from tests.helpers import snapshot

PASSWORD = "lead-password-1"
UNTIL = "2026-03-10"


def _unchanged(world: World, before: dict[str, list[tuple[object, ...]]]) -> None:
    after = snapshot(world.url)
    before.pop("password_throttles", None), after.pop("password_throttles", None)
    assert after == before


def test_supplier_asks_lead_decides_signed_and_refusals_write_nothing(world: World) -> None:
    acme = world.cases["ACME"]
    before = snapshot(world.url)
    # Another supplier's case is not found; a viewer may not ask; a bad date names "until".
    assert world.post("BETA", f"/cases/{acme}/extensions",
                      {"step": "containment", "until": UNTIL, "reason": "r"}).status_code == 404
    assert world.post("viewer", f"/cases/{acme}/extensions",
                      {"step": "containment", "until": UNTIL, "reason": "r"}).status_code == 403
    bad = world.post("ACME", f"/cases/{acme}/extensions",
                     {"step": "containment", "until": "2026-02-01", "reason": "r"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "until"
    _unchanged(world, before)

    asked = world.post("ACME", f"/cases/{acme}/extensions",
                       {"step": "containment", "until": UNTIL, "reason": "Sorting takes 3 days"})
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    again = world.post("ACME", f"/cases/{acme}/extensions",
                       {"step": "containment", "until": UNTIL, "reason": "again"})
    assert again.status_code == 409 and again.json()["error"]["field"] == "step"
    listed = world.get("BETA", "/extensions").json()
    assert listed["extensions"] == []  # BETA sees none of ACME's

    before = snapshot(world.url)
    assert world.post("viewer", f"/extensions/{request_id}/approve",
                      {"reason": "ok", "password": "view-password-1"}).status_code == 403
    wrong = world.post("lead", f"/extensions/{request_id}/approve",
                       {"reason": "ok", "password": "not-it"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "password"
    _unchanged(world, before)

    approved = world.post("lead", f"/extensions/{request_id}/approve",
                          {"reason": "Fair", "password": PASSWORD})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["due_now"].startswith("2026-03-10")
    twice = world.post("lead", f"/extensions/{request_id}/refuse",
                       {"reason": "no", "password": PASSWORD})
    assert twice.status_code == 409


def test_lead_edits_signed_and_a_viewer_may_not(world: World) -> None:
    acme = world.cases["ACME"]
    before = snapshot(world.url)
    assert world.post("viewer", f"/cases/{acme}/edit",
                      {"severity": "minor", "reason": "r", "password": "view-password-1"}
                      ).status_code == 403
    unsigned = world.post("lead", f"/cases/{acme}/edit", {"severity": "minor", "reason": "r"})
    assert unsigned.status_code == 422 and unsigned.json()["error"]["field"] == "password"
    _unchanged(world, before)
    edited = world.post("lead", f"/cases/{acme}/edit",
                        {"severity": "critical", "reason": "Safety part", "password": PASSWORD})
    assert edited.status_code == 200, edited.text
    event = edited.json()["event"]
    assert event["action"] == "edited"
    assert event["fields"]["changes"]["severity"] == {"old": "major", "new": "critical"}
    extended = world.post("lead", f"/cases/{acme}/extend",
                          {"step": "containment", "until": isoformat(T0.replace(day=9)),
                           "reason": "Shutdown", "password": PASSWORD})
    assert extended.status_code == 200 and extended.json()["status"] == "granted"
