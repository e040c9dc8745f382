"""What each class of defect counts for in the grade (issue 13, point 5; README "Batch versus
sporadic"): every defective piece counts in the line defects whatever its class; a reopen
counts as a recurrence unless the quality lead classified its case one_off or unavoidable;
an exempt case's cancelled containment owes nothing in the response speed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.cli.support import add_supplier, ok, step
from tests.conftest import T0
from tests.scorecards.support import run_time

H = timedelta(hours=1)
D = timedelta(days=1)
MARCH = "2026-03"
ROOT_CAUSE = {"root_cause": "worn die", "escape_point": "no crack check", "category": "machine"}


def _reopened(db_url: str, code: str) -> int:
    """A case of `code`'s HSG-100 CRACK taken to effectiveness tracking, then reopened by a
    recurrence of one piece on 12 March."""
    add_supplier(db_url, code, "--contact", f"json://127.0.0.1:9/{code.lower()}")
    case_id: int = ok(db_url, "defect", "record", "--supplier", code, "--part", "HSG-100",
                      "--defect-code", "CRACK", "--qty", "12")["case_id"]
    ok(db_url, "defect", "parts-received", str(case_id), now=T0 + 2 * H)
    step(db_url, case_id, "contain", T0 + 20 * H, containment="sorted stock")
    step(db_url, case_id, "find_root_cause", T0 + 2 * D, **ROOT_CAUSE)
    step(db_url, case_id, "apply_short_term_fix", T0 + 3 * D, short_term_fix="crack test")
    step(db_url, case_id, "implement_countermeasure", T0 + 4 * D, countermeasure="new die")
    again = ok(db_url, "defect", "record", "--supplier", code, "--part", "HSG-100",
               "--defect-code", "CRACK", now=T0 + 10 * D)
    assert again["outcome"] == "reopened"
    return case_id


def _components(db_url: str) -> dict[str, Any]:
    document = ok(db_url, "scorecard", "run", "--month", MARCH, now=run_time(MARCH))
    return {s["supplier"]: s["components"] for s in document["suppliers"]}


def test_a_reopen_of_a_case_marked_one_off_is_not_a_recurrence_but_its_pieces_count(
    db_url: str,
) -> None:
    sporadic = _reopened(db_url, "SPOR")
    one_off = _reopened(db_url, "ONCE")
    for case_id in (sporadic, one_off):
        ok(db_url, "defect", "parts-received", str(case_id), now=T0 + 10 * D + H)
    ok(db_url, "defect", "classify", str(one_off), "--as", "one_off", "--reason",
       "a single piece dropped at goods-in", now=T0 + 10 * D + 2 * H)
    step(db_url, sporadic, "contain", T0 + 10 * D + 3 * H, containment="sorted again")

    components = _components(db_url)

    assert components["SPOR"]["recurrence"]["reopens"] == 1
    assert components["ONCE"]["recurrence"]["reopens"] == 0
    # The pieces were bad whatever the class: 12 + 1 each.
    assert components["SPOR"]["line_defects"]["pieces"] == 13
    assert components["ONCE"]["line_defects"]["pieces"] == 13
    # The one-off's second containment was cancelled: it owes nothing and counts nowhere.
    # Otherwise the two answered alike (each still owes the new root cause at the month's end).
    spor, once = components["SPOR"]["response_speed"], components["ONCE"]["response_speed"]
    assert (spor["late"], spor["open_late"], once["late"], once["open_late"]) == (0, 1, 0, 1)
    assert once["deadlines_due"] == spor["deadlines_due"] - 1


def test_a_batch_owes_its_good_parts_in_the_response_speed(db_url: str) -> None:
    add_supplier(db_url, "SLOW", "--contact", "json://127.0.0.1:9/slow")
    case_id = ok(db_url, "defect", "record", "--supplier", "SLOW", "--part", "HSG-100",
                 "--defect-code", "CRACK", "--qty", "50")["case_id"]
    step(db_url, case_id, "contain", T0 + 5 * H, containment="sorted stock")
    # Parts confirmed good were owed within 24 h; they came after 3 days.
    ok(db_url, "defect", "parts-received", str(case_id), now=T0 + 3 * D)

    speed = _components(db_url)["SLOW"]["response_speed"]

    assert (speed["on_time"], speed["late"]) == (1, 1)  # containment on time, parts late
