"""`capa incident ...`: an incident from declaration to review through the command line
(docs/architecture.md, "Service quality control"), on SQLite and PostgreSQL: the on-call
notice delivered by the real dispatcher to a real HTTP receiver, one deadline per plan step
due at declaration + its target, a late step escalated by the sweep on the incidents' minute
ladder, close → review owed → review → an 8D case opened once; and every refusal naming its
field with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cli.support import iso, ok, refused
from tests.conftest import T0
from tests.notifications.conftest import HttpReceiver

MONDAY = T0  # 2026-03-02 09:00 UTC, the CLI tests' default --now
MIN = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)


def _declare(db: str, *extra: str, severity: str = "S1", now: datetime = MONDAY) -> Any:
    return ok(db, "incident", "declare", "--type", "power_outage", "--severity", severity,
              "--by", "ann", *extra, now=now)


def _steps(document: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {s["number"]: s for s in document["steps"]}


def _deadlines(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["key"]: d for d in document["deadlines"]}


def test_declaring_owes_each_plan_step_within_its_target_at_that_severity(db_url: str) -> None:
    s1 = _declare(db_url)
    assert (s1["state"], s1["severity"], s1["drill"], s1["department"], s1["owner"]) == (
        "responding", "S1", False, "field_service", "ann")
    # Step 1's target is tighter at S1 (5min, not 15min); step 4 applies from S1 only.
    due = {n: s["due_at"] for n, s in _steps(s1).items()}
    assert due == {1: iso(MONDAY + 5 * MIN), 2: iso(MONDAY + H), 3: iso(MONDAY + 2 * H),
                   4: iso(MONDAY + 30 * MIN)}
    clocks = _deadlines(s1)
    assert {k: d["due_at"] for k, d in clocks.items()} == {
        f"step:{n}": at for n, at in due.items()}
    assert {d["status"] for d in clocks.values()} == {"pending"}
    s2 = _declare(db_url, severity="S2")
    assert {n: s["due_at"] for n, s in _steps(s2).items()} == {
        1: iso(MONDAY + 15 * MIN), 2: iso(MONDAY + H), 3: iso(MONDAY + 2 * H)}


def test_the_on_call_roles_are_told_at_once_through_the_real_dispatcher(
    db_url: str, tmp_path: Path, http_receiver: HttpReceiver
) -> None:
    incident = _declare(db_url)
    routes = tmp_path / "routes.toml"
    routes.write_text(
        "[roles]\n"
        f'service_manager = ["{http_receiver.url("roles/service_manager")}"]\n'
        f'director = ["{http_receiver.url("roles/director")}"]\n'
        f'management = ["{http_receiver.url("roles/management")}"]\n'
        "[people]\n"
        f'ann = ["{http_receiver.url("people/ann")}"]\n', encoding="utf-8")
    [pending] = [n for n in ok(db_url, "notify", "list", "--status", "pending")
                 if n["kind"] == "incident"]
    assert pending["case"] == incident["id"]
    report = ok(db_url, "notify", "dispatch", "--routes", str(routes))
    assert report["failed"] == 0 and report["sent"] >= 1
    told = {p.path for p in http_receiver.posts if f"Incident #{incident['id']}" in
            p.body["title"]}
    # On call (service manager, director) and every role a step names (the owner, management).
    assert told == {"/roles/service_manager", "/roles/director", "/roles/management",
                    "/people/ann"}
    [post] = [p for p in http_receiver.posts if p.path == "/roles/director"]
    assert "Technician on site" in post.body["message"]


def _swept(db: str, now: datetime) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = ok(db, "sweep", now=now)["actions"]
    return actions


def test_a_late_step_climbs_the_incident_ladder_in_minutes_once_per_level(db_url: str) -> None:
    incident = _declare(db_url)
    key = "step:1"  # due 09:05
    assert [a for a in _swept(db_url, MONDAY + 4 * MIN) if a["key"] == key] == []
    [first] = [a for a in _swept(db_url, MONDAY + 6 * MIN) if a["key"] == key]
    assert (first["action"], first["level"]) == ("escalation", 1)
    # The same sweep again sends nothing twice.
    assert [a for a in _swept(db_url, MONDAY + 6 * MIN) if a["key"] == key] == []
    [second] = [a for a in _swept(db_url, MONDAY + 21 * MIN) if a["key"] == key]
    assert (second["action"], second["level"]) == ("escalation", 2)
    notices = [n for n in ok(db_url, "notify", "list") if n["case"] == incident["id"]
               and n["kind"] == "escalation"]
    assert sorted(n["escalation_level"] for n in notices) == [1, 2]
    # Step 4 (30 min) is reminded 10 minutes before it is due.
    assert [a["action"] for a in _swept(db_url, MONDAY + 21 * MIN)] == []
    shown = ok(db_url, "incident", "show", str(incident["id"]), now=MONDAY + 22 * MIN)
    assert _steps(shown)[1]["late"] is True and _steps(shown)[2]["late"] is False


def test_steps_are_done_in_any_order_and_their_deadlines_met_on_time_or_late(
    db_url: str,
) -> None:
    incident = _declare(db_url)
    rid = str(incident["id"])
    ok(db_url, "incident", "step", rid, "3", "--done", "--note", "mailed", "--by", "bo",
       now=MONDAY + 10 * MIN)
    after = ok(db_url, "incident", "step", rid, "1", "--done", now=MONDAY + 20 * MIN)
    steps, clocks = _steps(after), _deadlines(after)
    assert (steps[3]["done_by"], steps[3]["note"], steps[3]["late"]) == ("bo", "mailed", False)
    assert steps[1]["late"] is True
    assert (clocks["step:3"]["status"], clocks["step:3"]["met_on_time"]) == ("met", True)
    assert (clocks["step:1"]["status"], clocks["step:1"]["met_on_time"]) == ("met", False)
    assert [e["action"] for e in after["events"]] == ["open", "step_done", "step_done"]


def test_close_owes_the_review_and_the_review_opens_one_8d_case(db_url: str) -> None:
    incident = _declare(db_url)
    rid = str(incident["id"])
    ok(db_url, "incident", "step", rid, "1", "--done", now=MONDAY + 3 * MIN)
    closed = ok(db_url, "incident", "close", rid, "--summary", "power back", "--by", "ann",
                now=MONDAY + 3 * H)
    assert closed["state"] == "closed" and closed["summary"] == "power back"
    assert closed["review_due_at"] == iso(MONDAY + 3 * H + 5 * D)
    clocks = _deadlines(closed)
    # What was still owed ends with the close; step 2 was already late then.
    assert clocks["step:2"]["status"] == "cancelled" and _steps(closed)[2]["late"] is True
    assert clocks["review"]["status"] == "pending"
    refused(db_url, "incident", "review", rid, "--cause", "old cable", "--factor", "weather",
            exit_code=2, field="factor", says=["people, machines"], now=MONDAY + D)
    refused(db_url, "incident", "review", rid, "--cause", "old cable", "--factor", "machines",
            "--open", "a3", exit_code=2, field="open", now=MONDAY + D)
    reviewed = ok(db_url, "incident", "review", rid, "--cause", "old cable", "--factor",
                  "machines", "--open", "8d", "--by", "qm", now=MONDAY + D)
    assert (reviewed["state"], reviewed["factor"], reviewed["reviewed_by"]) == (
        "reviewed", "machines", "qm")
    assert _deadlines(reviewed)["review"]["met_on_time"] is True
    action = ok(db_url, "case", "show", str(reviewed["corrective_case"]), now=MONDAY + D)
    assert (action["lifecycle"], action["supplier"]) == ("8d", None)
    assert action["events"][0]["fields"]["linked_case"] == incident["id"]
    assert [e["fields"] for e in reviewed["events"] if e["action"] == "corrective_action"] == [
        {"corrective_case": reviewed["corrective_case"], "lifecycle": "8d"}]
    # Reviewed once: a second review (and with it a second case) is a conflict.
    refused(db_url, "incident", "review", rid, "--cause", "again", "--factor", "people",
            "--open", "pdca", exit_code=4, field="trigger", now=MONDAY + 2 * D)


def test_a_review_may_open_a_pdca_cycle_instead(db_url: str) -> None:
    rid = str(_declare(db_url)["id"])
    ok(db_url, "incident", "close", rid, "--summary", "done", now=MONDAY + H)
    reviewed = ok(db_url, "incident", "review", rid, "--cause", "no checklist", "--factor",
                  "methods", "--open", "pdca", now=MONDAY + 2 * H)
    cycle = ok(db_url, "case", "show", str(reviewed["corrective_case"]), now=MONDAY + 2 * H)
    assert (cycle["lifecycle"], cycle["state"]) == ("pdca", "plan")


def test_every_refusal_names_its_field_and_writes_nothing(db_url: str) -> None:
    rid = str(_declare(db_url)["id"])
    common = ("incident", "declare", "--by", "ann")
    refused(db_url, *common, "--type", "flood", "--severity", "S1", exit_code=2,
            field="type", says=["'flood' is not an incident type"])
    refused(db_url, *common, "--type", "power_outage", "--severity", "S4", exit_code=2,
            field="severity", says=["S1, S2, S3"])
    refused(db_url, *common, "--type", "power_outage", "--severity", "S1", "--department",
            "kitchen", exit_code=2, field="department")
    refused(db_url, *common, "--type", "flood", "--severity", "S1", "--drill", exit_code=2,
            field="type")
    refused(db_url, "incident", "step", rid, "9", "--done", exit_code=2, field="step",
            says=["no step 9"])
    refused(db_url, "incident", "step", rid, "1", exit_code=2, field="done")
    refused(db_url, "incident", "step", "99", "1", "--done", exit_code=3, field="incident")
    refused(db_url, "incident", "show", "99", exit_code=3, field="incident")
    refused(db_url, "incident", "review", rid, "--cause", "x", "--factor", "people",
            exit_code=4, field="trigger", says=["close"])
    refused(db_url, "incident", "close", rid, "--summary", " ", exit_code=2, field="summary")
    ok(db_url, "incident", "step", rid, "2", "--done", now=MONDAY + MIN)
    refused(db_url, "incident", "step", rid, "2", "--done", exit_code=4, field="step",
            says=["was done at"], now=MONDAY + 2 * MIN)
    ok(db_url, "incident", "close", rid, "--summary", "over", now=MONDAY + H)
    refused(db_url, "incident", "step", rid, "1", "--done", exit_code=4, field="step",
            now=MONDAY + 2 * H)
    refused(db_url, "incident", "close", rid, "--summary", "again", exit_code=4, field="trigger",
            now=MONDAY + 2 * H)


def test_a_drill_due_is_reminded_once_per_period_and_a_drill_restarts_the_clock(
    db_url: str,
) -> None:
    never = {p["type"]: p for p in ok(db_url, "incident", "plans")}
    assert never["power_outage"]["drill_due"] is True and never["power_outage"][
        "last_drill"] is None
    first = ok(db_url, "incident", "drills")
    assert first["reminded"] == ["data_breach", "power_outage"]
    assert ok(db_url, "incident", "drills", now=MONDAY + D)["reminded"] == []
    drill = _declare(db_url, "--drill", now=MONDAY + 2 * D)
    assert drill["drill"] is True and drill["title"].startswith("Drill: ")
    plans = {p["type"]: p for p in ok(db_url, "incident", "plans", now=MONDAY + 3 * D)}
    assert plans["power_outage"]["last_drill"] == iso(MONDAY + 2 * D)
    assert plans["power_outage"]["next_drill_due"] == "2026-09-04T09:00:00+00:00"
    assert plans["power_outage"]["drill_due"] is False
    assert ok(db_url, "incident", "drills", now=MONDAY + 3 * D)["reminded"] == []
    later = datetime(2026, 9, 5, 9, 0, tzinfo=UTC)
    assert ok(db_url, "incident", "drills", now=later)["reminded"] == ["power_outage"]
    assert ok(db_url, "incident", "drills", now=later + D)["reminded"] == []
    # The next period (one interval on): reminded again, once.
    again = datetime(2027, 3, 5, 9, 0, tzinfo=UTC)
    assert ok(db_url, "incident", "drills", now=again)["reminded"] == ["power_outage"]
    notices = [n for n in ok(db_url, "notify", "list", now=again) if n["kind"] == "drill_due"]
    assert len([n for n in notices if "Power outage" in n["subject"]]) == 3
    # Drills are listed apart from incidents.
    assert [d["id"] for d in ok(db_url, "incident", "list", "--drills", now=again)] == [
        drill["id"]]
    assert ok(db_url, "incident", "list", now=again) == []


def test_list_shows_open_incidents_first(db_url: str) -> None:
    a = _declare(db_url)["id"]
    b = _declare(db_url, now=MONDAY + H)["id"]
    ok(db_url, "incident", "close", str(b), "--summary", "ok", now=MONDAY + 2 * H)
    c = _declare(db_url, now=MONDAY + 3 * H)["id"]
    listed = ok(db_url, "incident", "list", now=MONDAY + 4 * H)
    assert [i["id"] for i in listed] == [c, a, b]
    ok(db_url, "incident", "review", str(b), "--cause", "x", "--factor", "people",
       now=MONDAY + 5 * H)
    assert [i["id"] for i in ok(db_url, "incident", "list", "--open",
                                now=MONDAY + 5 * H)] == [c, a]


@pytest.mark.parametrize(("table", "field", "says"), [
    ('[incidents.types.fire]\ntitle = "Fire"\nsteps = [{ action = "Go", target = "5min" }]',
     "incidents.types.fire.steps[0].role", "missing"),
    ('[incidents.types.fire]\ntitle = "Fire"\n'
     'steps = [{ action = "Go", role = "janitor", target = "5min" }]',
     "incidents.types.fire.steps[0].role", "'janitor' is not a role"),
    ('[incidents.types.fire]\ntitle = "Fire"\n'
     'steps = [{ action = "Go", role = "owner", target = "5 minutes" }]',
     "incidents.types.fire.steps[0].target", "duration"),
    ('[incidents.types.fire]\ntitle = "Fire"\ndepartment = "kitchen"\n'
     'steps = [{ action = "Go", role = "owner", target = "5min" }]',
     "incidents.types.fire.department", "not a department"),
    ('[incidents.types.fire]\ntitle = "Fire"\n'
     'steps = [{ action = "Go", role = "owner", target = "5min", from_severity = "S9" }]',
     "incidents.types.fire.steps[0].from_severity", "'S9'"),
    ('[incidents.types.fire]\ntitle = "Fire"\non_call = ["supplier_contact"]\n'
     'steps = [{ action = "Go", role = "owner", target = "5min" }]',
     "incidents.types.fire.on_call", "not a role"),
    ('[incidents.escalation]\nladder = [{ after = "0min", notify = ["janitor"] }]',
     "incidents.escalation.ladder[0].notify", "'janitor'"),
])
def test_a_bad_plan_is_refused_at_load_naming_its_key_path(
    sqlite_url: str, tmp_path: Path, table: str, field: str, says: str
) -> None:
    override = tmp_path / "site.toml"
    override.write_text(table + "\n", encoding="utf-8")
    for command in (("incident", "plans"), ("incident", "declare", "--type", "power_outage",
                                            "--severity", "S1")):
        refused(sqlite_url, *command, "--config", str(override), exit_code=2, field=field,
                says=[says])


def test_an_incident_declared_in_error_is_cancelled_and_owes_nothing(db_url: str) -> None:
    rid = str(_declare(db_url)["id"])
    refused(db_url, "incident", "cancel", rid, "--reason", " ", exit_code=2, field="reason")
    cancelled = ok(db_url, "incident", "cancel", rid, "--reason", "false alarm",
                   now=MONDAY + MIN)
    assert cancelled["state"] == "cancelled"
    assert {d["status"] for d in cancelled["deadlines"]} == {"cancelled"}
    assert not any(s["late"] for s in cancelled["steps"])
    refused(db_url, "incident", "close", rid, "--summary", "x", exit_code=4, field="trigger",
            now=MONDAY + H)
