"""Work items and spot-checks through the REST API (docs/architecture.md, "Service quality
control"): the same documents as the CLI, each refusal with its status and field and nothing
written, and who may do what (a viewer reads, a supplier sees nothing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.api.test_service_api import Desk, desk  # noqa: F401  (a fixture)
from tests.cli.support import ok
from tests.spotchecks.support import STANDARD, close_requests

# The desk's API runs at T0, Monday 2 March 2026: the week before is 2026-W09.
WEEK = "2026-W09"
WEEK_START = datetime(2026, 2, 23, tzinfo=UTC)


@pytest.fixture
def people(desk: Desk) -> Desk:  # noqa: F811
    for name, team, skills, lead in (("fay", "field", [], False), ("lea", "field", [], True),
                                     ("bob", "office", [], False),
                                     ("sam", "office", ["specialist"], False)):
        desk.ok("POST", "desk", "/people", {"name": name, "team": team, "skills": skills,
                                            "lead": lead}, status=201)
    return desk


def test_a_work_item_through_its_three_checks_with_a_rework(people: Desk) -> None:
    item = people.ok("POST", "agent", "/work-items", {
        "title": "Install boiler", "department": "field_service", "team": "field"}, status=201)
    path = f"/work-items/{item['id']}"
    people.ok("POST", "agent", f"{path}/check", {"level": "self", "result": "pass",
                                                 "by": "fay"})
    people.refused("POST", "agent", f"{path}/check", {"level": "specialist", "result": "pass",
                                                      "by": "sam"}, status=409, field="level")
    failed = people.ok("POST", "agent", f"{path}/check", {
        "level": "mutual", "result": "fail", "by": "bob", "failed_items": ["FS-03"]})
    assert (failed["state"], failed["next_level"]) == ("rework", "self")
    for level, by in (("self", "fay"), ("mutual", "bob"), ("specialist", "sam")):
        done = people.ok("POST", "agent", f"{path}/check", {"level": level, "result": "pass",
                                                            "by": by})
    assert done["state"] == "accepted" and len(done["checks"]) == 5
    assert people.ok("GET", "viewer", path) == done
    assert [i["id"] for i in people.ok("GET", "viewer", "/work-items?state=accepted")] == [
        item["id"]]


def test_work_item_refusals_name_their_field_and_who_may_do_what(people: Desk) -> None:
    people.refused("POST", "agent", "/work-items", {"title": "Job", "department": "kitchen"},
                   status=422, field="department")
    people.refused("POST", "agent", "/work-items/99/check", {
        "level": "self", "result": "pass", "by": "fay"}, status=404, field="item")
    item = people.ok("POST", "agent", "/work-items", {"title": "Job",
                                                      "department": "field_service"},
                     status=201)
    people.refused("POST", "agent", f"/work-items/{item['id']}/check", {
        "level": "self", "result": "maybe", "by": "fay"}, status=422, field="result")
    people.refused("POST", "viewer", f"/work-items/{item['id']}/check", {
        "level": "self", "result": "pass", "by": "fay"}, status=403)
    people.refused("GET", "ACME", f"/work-items/{item['id']}", status=403)
    people.refused("GET", "ACME", "/work-items", status=403)


def test_the_week_is_drawn_once_and_reviewed_through_the_api(
    people: Desk, tmp_path: Path,
) -> None:
    close_requests(people.url, {"fay": 5, "bob": 3}, start=WEEK_START)
    standard = tmp_path / "technician.toml"
    standard.write_text(STANDARD, encoding="utf-8")
    ok(people.url, "standard", "import", str(standard), now=WEEK_START)
    people.refused("POST", "agent", "/spotchecks/draw", {"week": WEEK}, status=403)
    people.refused("POST", "desk", "/spotchecks/draw", {"week": "2026-9"}, status=422,
                   field="week")
    drawn = people.ok("POST", "desk", "/spotchecks/draw", {"week": WEEK})
    assert (drawn["drawn"], drawn["already_drawn"]) == (4, False)
    again = people.ok("POST", "desk", "/spotchecks/draw", {"week": WEEK})
    assert again["already_drawn"] is True and again["spotchecks"] == drawn["spotchecks"]
    people.refused("POST", "desk", "/spotchecks/draw", {"week": WEEK, "seed": 1},
                   status=409, field="seed")
    listed = people.ok("GET", "viewer", f"/spotchecks?week={WEEK}")
    assert listed["spotchecks"] == drawn["spotchecks"]
    spot = next(s for s in drawn["spotchecks"] if s["person"] == "fay")
    review = f"/spotchecks/{spot['id']}/review"
    people.refused("POST", "agent", review, {"by": "lea", "results": {"FS-01": "pass"}},
                   status=422, field="item")
    people.refused("POST", "viewer", review, {"by": "lea", "results": {"FS-01": "pass"}},
                   status=403)
    reviewed = people.ok("POST", "agent", review, {
        "by": "lea", "results": {"FS-01": "pass", "FS-02": "fail", "FS-03": "pass"}})
    assert (reviewed["state"], reviewed["score"], reviewed["passed"]) == (
        "reviewed", 83.33, False)
    people.refused("GET", "ACME", f"/spotchecks?week={WEEK}", status=403)
    people.refused("GET", "viewer", "/spotchecks?week=2026-W01", status=404, field="week")
