"""`capa customer|person|service`: a request from intake to closed through the command line,
its JSON contract, and each refusal's exit code, field and nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.support import iso, ok, refused

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def desk_db(sqlite_url: str) -> str:
    ok(sqlite_url, "customer", "add", "SHOP", "--name", "Corner Shop", "--tier", "standard",
       now=MONDAY)
    ok(sqlite_url, "person", "add", "ann", "--team", "field", "--skills", "repair", now=MONDAY)
    ok(sqlite_url, "person", "add", "lea", "--team", "field", "--lead", now=MONDAY)
    return sqlite_url


def _open(db: str, *extra: str) -> dict[str, object]:
    document: dict[str, object] = ok(
        db, "service", "open", "--customer", "SHOP", "--kind", "complaint", "--severity", "S2",
        "--category", "repair", "--channel", "phone", "--title", "Dryer broken", *extra,
        now=MONDAY)
    return document


def test_a_request_goes_from_intake_to_closed_through_the_cli(desk_db: str) -> None:
    opened = _open(desk_db)
    assert {k: opened[k] for k in ("state", "assignee", "tier", "severity", "kind")} == {
        "state": "dispatched", "assignee": "ann", "tier": "standard", "severity": "S2",
        "kind": "complaint"}
    clocks = {c["key"]: c for c in opened["clocks"]}  # type: ignore[attr-defined]
    assert clocks["first_response"]["due_at"] == iso(MONDAY + 2 * H)
    assert clocks["first_response"]["on_hold"] is False
    rid = str(opened["id"])
    ok(desk_db, "service", "advance", rid, "acknowledge", "--field", "response=calling back",
       now=MONDAY + H)
    held = ok(desk_db, "service", "advance", rid, "hold", "--field", "reason=waiting photos",
              now=MONDAY + 2 * H)
    assert held["on_hold"] is True and held["allowed_triggers"] == ["resume", "escalate",
                                                                    "cancel"]
    assert [c["status"] for c in held["clocks"]] == ["met", "on_hold"]
    ok(desk_db, "service", "advance", rid, "resume", now=MONDAY + 3 * H)
    resolved = ok(desk_db, "service", "advance", rid, "resolve", "--field",
                  "resolution=new belt", now=MONDAY + 4 * H)
    assert resolved["state"] in ("resolved", "follow_up")
    closed = ok(desk_db, "service", "follow-up", rid, "--solved", "yes", "--overall", "4",
                "--nps", "9", "--empathy", "5", now=MONDAY + 5 * H)
    assert (closed["state"], closed["outcome"]) == ("closed", "solved")
    assert closed["follow_ups"][-1]["overall"] == 4
    shown = ok(desk_db, "service", "show", rid, now=MONDAY + 6 * H)
    assert [e["action"] for e in shown["events"]][:2] == ["open", "dispatch"]
    listed = ok(desk_db, "service", "list", "--state", "closed", now=MONDAY + 6 * H)
    assert [r["id"] for r in listed] == [opened["id"]]


def test_bad_customer_and_person_input_is_refused(desk_db: str) -> None:
    refused(desk_db, "customer", "add", "X", "--name", "X", "--tier", "gold", exit_code=2,
            field="tier", says=["'gold' is not one of key, standard, basic"], now=MONDAY)
    refused(desk_db, "customer", "add", "SHOP", "--name", "X", "--tier", "key", exit_code=4,
            field="code", now=MONDAY)
    refused(desk_db, "customer", "add", "Y", "--name", "Y", "--tier", "key", "--contact",
            "not a url", exit_code=2, field="contact", now=MONDAY)
    refused(desk_db, "person", "absent", "ghost", "--from", iso(MONDAY), "--to",
            iso(MONDAY + H), exit_code=3, field="person", now=MONDAY)
    refused(desk_db, "person", "absent", "ann", "--from", iso(MONDAY), "--to",
            iso(MONDAY - H), exit_code=2, field="to", now=MONDAY)
    refused(desk_db, "person", "absent", "ann", "--from", "tomorrow", "--to",
            iso(MONDAY), exit_code=2, field="from", now=MONDAY)


@pytest.mark.parametrize(("option", "value", "exit_code", "field"), [
    ("--customer", "NOBODY", 3, "customer"),
    ("--severity", "S9", 2, "severity"),
    ("--category", "plumbing", 2, "category"),
    ("--channel", "pigeon", 2, "channel"),
    ("--kind", "praise", 2, "kind"),
    ("--assignee", "ghost", 3, "assignee"),
])
def test_bad_intake_is_refused(
    desk_db: str, option: str, value: str, exit_code: int, field: str
) -> None:
    args = {"--customer": "SHOP", "--kind": "request", "--severity": "S3",
            "--category": "repair", "--channel": "phone", "--title": "x"}
    args[option] = value
    flat = [part for pair in args.items() for part in pair]
    if option not in args:
        flat += [option, value]
    refused(desk_db, "service", "open", *flat, exit_code=exit_code, field=field, now=MONDAY)


def test_bad_steps_are_refused(desk_db: str) -> None:
    rid = str(_open(desk_db)["id"])
    refused(desk_db, "service", "advance", rid, "resume", exit_code=4, field="trigger",
            says=["not on hold"], now=MONDAY + H)
    refused(desk_db, "service", "advance", rid, "fly", exit_code=2, field="trigger",
            now=MONDAY + H)
    refused(desk_db, "service", "advance", rid, "hold", exit_code=2, field="reason",
            now=MONDAY + H)
    refused(desk_db, "service", "advance", "999", "hold", "--field", "reason=x", exit_code=3,
            field="request", says=["service request 999 does not exist"], now=MONDAY + H)
    refused(desk_db, "service", "advance", "2147483648", "hold", exit_code=2, field="request",
            now=MONDAY + H)
    refused(desk_db, "service", "show", "0", exit_code=2, field="request", now=MONDAY + H)
    # The generic step command would bypass the SLA clocks a hold stops.
    refused(desk_db, "case", "advance", rid, "hold", "--field", "reason=x", exit_code=4,
            field="case", says=["take its steps at the service desk: capa service advance"],
            now=MONDAY + H)
    ok(desk_db, "service", "advance", rid, "resolve", "--field", "resolution=done",
       now=MONDAY + H)
    refused(desk_db, "service", "follow-up", rid, "--solved", "maybe", "--overall", "3",
            exit_code=2, field="solved", now=MONDAY + 2 * H)
    refused(desk_db, "service", "follow-up", rid, "--solved", "yes", "--overall", "7",
            exit_code=2, field="overall", now=MONDAY + 2 * H)
    refused(desk_db, "service", "follow-up", rid, "--solved", "yes", "--overall", "3",
            "--empathy", "0", exit_code=2, field="empathy", now=MONDAY + 2 * H)
    ok(desk_db, "service", "advance", rid, "cancel", "--field", "reason=duplicate",
       now=MONDAY + 2 * H)
    refused(desk_db, "service", "advance", rid, "hold", "--field", "reason=x", exit_code=4,
            field="trigger", says=["not allowed in state cancelled"], now=MONDAY + 3 * H)


def test_an_import_takes_in_the_good_rows_at_their_time_and_lists_the_bad(
    desk_db: str, tmp_path: Path
) -> None:
    from tests.helpers import capa

    csv = tmp_path / "requests.csv"
    csv.write_text(
        "customer,kind,severity,category,channel,title,received_at\n"
        f"SHOP,request,S3,repair,phone,Noise,{iso(MONDAY - 2 * H)}\n"
        "SHOP,request,S7,repair,phone,Bad severity,\n"
        "NOPE,request,S3,repair,phone,Unknown customer,\n"
        f"SHOP,request,S3,repair,phone,From the future,{iso(MONDAY + H)}\n",
        encoding="utf-8")
    first = capa("service", "import", str(csv), "--db", desk_db, "--now", iso(MONDAY),
                 "--json")
    assert first.exit_code == 2
    document = json.loads(first.stdout)
    assert [r["line"] for r in document["imported"]] == [2]
    assert [(r["line"], r["field"]) for r in document["rejected"]] == [
        (3, "severity"), (4, "customer"), (5, "received_at")]
    request = ok(desk_db, "service", "show", str(document["imported"][0]["request"]),
                 now=MONDAY)
    # Received on Monday 07:00, before opening: the 4 working hours run from 08:00.
    assert request["received_at"] == iso(MONDAY - 2 * H)
    assert request["clocks"][0]["due_at"] == iso(MONDAY + 3 * H)
    again = capa("service", "import", str(csv), "--db", desk_db, "--now", iso(MONDAY),
                 "--json")
    assert [r["line"] for r in json.loads(again.stdout)["skipped"]] == [2]
    refused(desk_db, "service", "import", str(tmp_path / "missing.csv"), exit_code=2,
            field="file", now=MONDAY)


def test_a_service_request_is_not_opened_as_a_bare_case(desk_db: str) -> None:
    refused(desk_db, "case", "open", "--lifecycle", "service", "--title", "x", exit_code=2,
            field="lifecycle", says=["opened at the service desk: capa service open"],
            now=MONDAY)
