"""A recurrence reported late (a customer return, a back-dated import) on SQLite and
PostgreSQL, through the `capa` command as a quality lead uses it.

docs/architecture.md, "Quality rules": the same defect inside the six months of effectiveness
tracking proves the countermeasure ineffective and reopens the case. What decides is when the
defect occurred (`--at`), not whether the sweep has already closed the case as effective at
the window's end. Times are fixed from T0 (Monday 2026-03-02 09:00 UTC): the countermeasure
is in place five days after opening, its window ends six months later (2026-09-07 09:00)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from capaflow.intake import COLUMNS
from tests.cli.support import (
    D,
    H,
    add_signer,
    add_supplier,
    deadline,
    iso,
    ok,
    open_8d,
    show,
    signed_step,
    step,
)
from tests.conftest import T0
from tests.helpers import capa
from tests.intake.support import ROOT_CAUSE

MONTH = 30 * D
# The countermeasure of a case opened at T0, and the end of its six-month window.
FIXED = T0 + 5 * D
WINDOW_END = datetime.fromisoformat("2026-09-07T09:00:00+00:00")
# A recurrence two months into the window, reported a month after the window ended.
OCCURRED = FIXED + 2 * MONTH
REPORTED = WINDOW_END + MONTH


def _tracked(db_url: str, part: str = "HSG-100", opened: datetime = T0) -> int:
    """An 8D case of ACME `part` CRACK opened at `opened`, its countermeasure in place five
    days later: in effectiveness tracking."""
    case_id = open_8d(db_url, "--supplier", "ACME", "--part", part, "--defect-code", "CRACK",
                      "--owner", "lena", now=opened)
    step(db_url, case_id, "contain", opened + 20 * H, containment="sorted stock")
    step(db_url, case_id, "find_root_cause", opened + 3 * D, **ROOT_CAUSE)
    step(db_url, case_id, "apply_short_term_fix", opened + 4 * D, short_term_fix="crack test")
    step(db_url, case_id, "implement_countermeasure", opened + 5 * D, countermeasure="new die")
    return case_id


def _sweep(db_url: str, now: datetime) -> dict[str, Any]:
    document: dict[str, Any] = ok(db_url, "sweep", now=now)
    return document


def _closed_by_the_sweep(db_url: str) -> int:
    """ACME's HSG-100 case, tracked for six months and closed as effective by the sweep."""
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")
    case_id = _tracked(db_url)
    window = deadline(show(db_url, case_id, now=FIXED), "effectiveness_window")
    assert window["due_at"] == iso(WINDOW_END)
    swept = _sweep(db_url, WINDOW_END + H)
    assert swept["closures"] == 1
    assert show(db_url, case_id, now=WINDOW_END + H)["state"] == "closed"
    return case_id


def _record(
    db_url: str, *, occurred: datetime, now: datetime, part: str = "HSG-100"
) -> dict[str, Any]:
    document: dict[str, Any] = ok(
        db_url, "defect", "record", "--supplier", "ACME", "--part", part, "--defect-code",
        "CRACK", "--at", iso(occurred), "--source", "customer", now=now,
    )
    return document


def _cases(db_url: str, now: datetime) -> list[int]:
    return [c["id"] for c in ok(db_url, "case", "list", now=now)]


def test_a_recurrence_inside_the_six_months_reported_after_the_sweep_closed_the_case_reopens_it(
    db_url: str,
) -> None:
    case_id = _closed_by_the_sweep(db_url)

    document = _record(db_url, occurred=OCCURRED, now=REPORTED)

    assert (document["outcome"], document["case_id"]) == ("reopened", case_id)
    assert (document["linked_case_id"], document["late_report"]) == (None, True)
    case = show(db_url, case_id, now=REPORTED)
    assert (case["state"], case["reopen_count"], case["closed_at"]) == ("containment", 1, None)
    assert case["allowed_triggers"] == ["contain", "cancel"]
    # A new 24 h containment, as any reopen owes; the window the close met did not hold.
    containment = [(d["status"], d["due_at"]) for d in case["deadlines"]
                   if d["key"] == "containment"]
    assert containment == [("met", iso(T0 + 24 * H)), ("pending", iso(REPORTED + 24 * H))]
    [window] = [d for d in case["deadlines"] if d["key"] == "effectiveness_window"]
    assert (window["status"], window["met_on_time"]) == ("cancelled", None)
    assert case["content"]["ineffective_countermeasures"] == ["new die"]
    assert _cases(db_url, REPORTED) == [case_id], "no new case opened beside it"
    # The sweep no longer has anything to close; it chases the new containment instead.
    assert _sweep(db_url, REPORTED + 25 * H)["closures"] == 0
    assert show(db_url, case_id, now=REPORTED + 25 * H)["state"] == "containment"


def test_the_reopen_says_the_effectiveness_closure_was_wrong(db_url: str) -> None:
    case_id = _closed_by_the_sweep(db_url)

    document = _record(db_url, occurred=OCCURRED, now=REPORTED)

    # The reopening defect's classification (README, "Batch versus sporadic") follows it.
    events = [e for e in show(db_url, case_id, now=REPORTED)["events"]
              if e["action"] != "classify"]
    close, reopen = events[-2], events[-1]
    assert (close["action"], close["to_state"]) == ("close", "closed"), "the close stays"
    assert (reopen["action"], reopen["from_state"], reopen["to_state"]) == (
        "reopen", "closed", "containment"
    )
    assert reopen["at"] == iso(REPORTED)
    fields = reopen["fields"]
    assert fields["effectiveness_closure_revoked"] is True
    assert fields["revoked_event"] == close["seq"]
    assert fields["defect"] == f"defect event {document['defect']['id']}"
    assert "closure was wrong" in fields["reason"]
    assert iso(OCCURRED) in fields["reason"]
    # The trail still verifies: the reopen is appended after the close, nothing rewritten.
    verified = capa("audit", "verify", "--json", "--db", db_url)
    assert verified.exit_code == 0, verified.stdout
    assert json.loads(verified.stdout)["ok"] is True
    # The 8D report owes D8 again and lists the recurrence with the countermeasure that failed.
    report = ok(db_url, "case", "report", str(case_id), now=REPORTED)["report"]
    assert "closure was wrong" in report
    assert "new die" in report
    d8 = report.split("## D8 Closure and recognition", 1)[1].split("\n## ", 1)[0]
    assert "_not yet recorded_" in d8, d8
    plain = capa("defect", "record", "--supplier", "ACME", "--part", "HSG-100",
                 "--defect-code", "CRACK", "--at", iso(OCCURRED + D), "--db", db_url,
                 "--now", iso(REPORTED + H))
    assert plain.exit_code == 0, plain.stderr
    assert f"counted on case #{case_id}" in plain.stdout, "the reopened case takes the next"


def _outcome(db_url: str, document: dict[str, Any], reported: datetime) -> dict[str, Any]:
    """What a recorded defect did, in terms that do not depend on which case it was."""
    case = show(db_url, document["case_id"], now=reported)
    containment = deadline(case, "containment")
    return {
        "outcome": document["outcome"],
        "linked_case_id": document["linked_case_id"],
        "state": case["state"],
        "reopen_count": case["reopen_count"],
        "closed_at": case["closed_at"],
        "containment_due": datetime.fromisoformat(containment["due_at"]) - reported,
        "windows": [d["status"] for d in case["deadlines"] if d["key"] == "effectiveness_window"],
        "pending": sorted(d["key"] for d in case["deadlines"] if d["status"] == "pending"),
        "ineffective": case["content"]["ineffective_countermeasures"],
        "reopen": case["events"][-1]["action"],
        "hold": document["inspection_hold"]["lots_remaining"],
    }


def test_the_outcome_depends_on_when_the_defect_occurred_not_when_the_sweep_ran(
    db_url: str,
) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")
    # Two parts, their countermeasures ten days apart: the sweep after the first window's end
    # closes the first case; the second window is over too when the defects are reported,
    # but no sweep has run since.
    swept_case = _tracked(db_url, "HSG-100", opened=T0)
    unswept_case = _tracked(db_url, "HSG-200", opened=T0 + 10 * D)
    assert _sweep(db_url, WINDOW_END + H)["closures"] == 1
    assert show(db_url, swept_case, now=WINDOW_END + H)["state"] == "closed"
    assert show(db_url, unswept_case, now=WINDOW_END + H)["state"] == "effectiveness_tracking"
    reported = WINDOW_END + 10 * D + H

    after_sweep = _record(db_url, part="HSG-100", occurred=OCCURRED, now=reported)
    before_sweep = _record(db_url, part="HSG-200", occurred=OCCURRED + 10 * D, now=reported)

    assert after_sweep["case_id"] == swept_case
    assert before_sweep["case_id"] == unswept_case
    assert _outcome(db_url, after_sweep, reported) == _outcome(db_url, before_sweep, reported)
    assert _outcome(db_url, after_sweep, reported)["outcome"] == "reopened"
    # The one difference: only the first had a closure to revoke.
    assert (after_sweep["late_report"], before_sweep["late_report"]) == (True, False)
    assert sorted(_cases(db_url, reported)) == sorted([swept_case, unswept_case])


def test_a_back_dated_import_row_reopens_the_closed_case_as_a_record_does(
    db_url: str, tmp_path: Path
) -> None:
    case_id = _closed_by_the_sweep(db_url)
    path = tmp_path / "returns.csv"
    path.write_text(
        f"{','.join(COLUMNS)}\nACME,HSG-100,CRACK,2,{iso(OCCURRED)},customer,return RMA-7\n",
        encoding="utf-8",
    )

    document = ok(db_url, "defect", "import", str(path), now=REPORTED)

    [row] = document["imported"]
    assert (row["outcome"], row["case_id"], row["late_report"]) == ("reopened", case_id, True)
    assert show(db_url, case_id, now=REPORTED)["state"] == "containment"


def test_a_defect_after_the_window_still_opens_a_new_linked_case(db_url: str) -> None:
    case_id = _closed_by_the_sweep(db_url)

    # The window is [countermeasure, window end): its end belongs to the next six months.
    at_the_end = _record(db_url, occurred=WINDOW_END, now=REPORTED)
    # Before the countermeasure: it says nothing about it either, and is counted on the case
    # that is open now.
    before_it = _record(db_url, occurred=FIXED - D, now=REPORTED + H)

    assert (at_the_end["outcome"], at_the_end["linked_case_id"]) == ("new_case", case_id)
    assert at_the_end["late_report"] is False
    assert at_the_end["case_id"] != case_id
    assert (before_it["outcome"], before_it["case_id"]) == ("occurrence", at_the_end["case_id"])
    old = show(db_url, case_id, now=REPORTED + H)
    assert (old["state"], old["reopen_count"]) == ("closed", 0)
    assert old["closed_at"] == iso(WINDOW_END + H)


def test_a_back_dated_recurrence_reopens_the_case_whose_window_it_falls_in_not_a_newer_one(
    db_url: str,
) -> None:
    case_id = _closed_by_the_sweep(db_url)
    # A defect after the window: a new case, in containment, follows the closed one.
    newer = _record(db_url, occurred=WINDOW_END + D, now=WINDOW_END + D)
    assert newer["outcome"] == "new_case"

    late = _record(db_url, occurred=OCCURRED, now=REPORTED)

    assert (late["outcome"], late["case_id"], late["late_report"]) == ("reopened", case_id, True)
    assert show(db_url, case_id, now=REPORTED)["reopen_count"] == 1
    newer_case = show(db_url, newer["case_id"], now=REPORTED)
    assert (newer_case["state"], newer_case["occurrences"], newer_case["reopen_count"]) == (
        "containment", 1, 0
    )


def test_a_closed_case_is_reopened_by_hand_only_with_a_recorded_defect_inside_its_window(
    db_url: str,
) -> None:
    case_id = _closed_by_the_sweep(db_url)

    refused = capa("case", "advance", str(case_id), "reopen", "--field", "reason=looks bad",
                   "--db", db_url, "--now", iso(REPORTED), "--json")
    assert refused.exit_code == 4, refused.stdout
    error = json.loads(refused.stdout)["error"]
    assert error["field"] == "trigger"
    assert "inside its effectiveness window" in error["message"]
    assert show(db_url, case_id, now=REPORTED)["state"] == "closed"

    cancelled = open_8d(db_url, "--supplier", "ACME", "--part", "HSG-300",
                        "--defect-code", "CRACK", now=REPORTED)
    add_signer(db_url)
    signed_step(db_url, cancelled, "cancel", REPORTED + H, reason="wrong part")
    no_way_back = capa("case", "advance", str(cancelled), "reopen", "--db", db_url,
                       "--now", iso(REPORTED + 2 * H), "--json")
    assert no_way_back.exit_code == 4, "a cancelled case is never reopened"


def test_the_late_recurrence_counts_in_the_suppliers_grade(db_url: str) -> None:
    case_id = _closed_by_the_sweep(db_url)
    _record(db_url, occurred=OCCURRED, now=REPORTED)
    # Contained on time in October too: the month has a deadline met besides the reopen.
    step(db_url, case_id, "contain", REPORTED + 20 * H, containment="sorted the returns")

    def recurrence(month: str) -> dict[str, Any]:
        graded = ok(db_url, "scorecard", "run", "--month", month,
                    now=datetime.fromisoformat("2026-11-02T06:00:00+00:00"))
        [acme] = [s for s in graded["suppliers"] if s["supplier"] == "ACME"]
        found: dict[str, Any] = acme["components"]["recurrence"]
        return found

    # Counted in the month the reopen was recorded (October), where the grade can still act
    # on it; May, when the defect occurred, was graded long before it was known.
    october = recurrence("2026-10")
    assert october["reopens"] == 1
    assert october["points"] < 100
    assert recurrence("2026-05")["reopens"] == 0
