"""Response speed counts every deadline the supplier owed in the month, met or not, weighed by
how late it is (issue 13, point 1; README "Supplier grades: how the rules are read")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from capaflow.models import Case, Deadline
from capaflow.scorecards.grading import LATE, ON_TIME, OPEN_LATE, deadline_credit, run_month
from tests.cli.support import add_supplier, ok, step
from tests.scorecards.support import case_for, lot, policy, run_time, supplier

FEB = "2026-02"
H = timedelta(hours=1)
D = timedelta(days=1)
FOUND = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)  # containment due 24 h later


def _graded(document: Any) -> dict[str, Any]:
    return {s["supplier"]: s for s in document["suppliers"]}


def test_a_supplier_that_never_answers_scores_below_one_that_answers_late(db_url: str) -> None:
    # Both get the same defect on the line, each an 8D with a 24-hour containment. LATE
    # contains 6 days late; SILENT never answers. Before issue 13 only met deadlines counted:
    # SILENT's response speed was left out (an A, 94), LATE's was 0 (a D, 68.4).
    cases = {}
    for code in ("LATE", "SILENT"):
        add_supplier(db_url, code, "--contact", "json://127.0.0.1:9/contact")
        recorded = ok(db_url, "defect", "record", "--supplier", code, "--part", "HSG-1",
                      "--defect-code", "CRACK", "--at", FOUND.isoformat(), now=FOUND)
        cases[code] = recorded["case_id"]
    # A single piece is a sporadic defect (README, "Batch versus sporadic"): the supplier also
    # owes its replacement. LATE replaces it at once; SILENT never answers anything.
    ok(db_url, "defect", "parts-received", str(cases["LATE"]), now=FOUND + H)
    step(db_url, cases["LATE"], "contain", FOUND + 7 * D, containment="sorted the stock")

    graded = _graded(ok(db_url, "scorecard", "run", "--month", FEB, now=run_time(FEB)))

    late, silent = graded["LATE"]["components"], graded["SILENT"]["components"]
    assert graded["SILENT"]["score"] < graded["LATE"]["score"]
    assert graded["SILENT"]["grade"] > graded["LATE"]["grade"]  # a worse letter
    speed = late["response_speed"]
    assert (speed["deadlines_due"], speed["on_time"], speed["late"], speed["open_late"],
            speed["deadlines_closed"], speed["days_late"]) == (2, 1, 1, 0, 2, 6.0)
    speed = silent["response_speed"]
    assert (speed["deadlines_due"], speed["on_time"], speed["late"], speed["open_late"],
            speed["deadlines_closed"]) == (2, 0, 0, 2, 0)
    # Still owed at the month's end: as late as they are then (the containment from 21 Feb
    # 09:00 to 1 March, 7.6 days; the replacement, due 3 business days after the Friday,
    # from 25 Feb 09:00, 3.6 days).
    assert speed["days_late"] == 11.2
    assert silent["response_speed"]["points"] < late["response_speed"]["points"]


def test_a_late_deadline_earns_less_the_later_it_is_against_its_allowed_time() -> None:
    start = datetime(2026, 2, 1, tzinfo=UTC)
    due = start + D
    cutoff = datetime(2026, 3, 1, tzinfo=UTC)

    def credit(met: datetime | None) -> tuple[str, float]:
        how, value, _late = deadline_credit(started_at=start, due_at=due, met_at=met,
                                            cutoff=cutoff)
        return how, round(value, 4)

    assert credit(due) == (ON_TIME, 1.0)
    assert credit(due + H) == (LATE, round(0.5 / (1 + 1 / 24), 4))
    assert credit(due + D) == (LATE, 0.25)
    assert credit(due + 6 * D) == (LATE, round(0.5 / 7, 4))
    # Met only after the month's end: at the month's end it was still owed.
    assert credit(cutoff + D) == credit(None)
    assert credit(None)[0] == OPEN_LATE
    assert credit(None)[1] < credit(due + 6 * D)[1]
    # The same day late weighs less on a deadline allowed ten days.
    _how, ten_days, _late = deadline_credit(started_at=due - 10 * D, due_at=due,
                                            met_at=due + D, cutoff=cutoff)
    assert ten_days > credit(due + D)[1]


def _deadline(session: Session, case_id: int, *, due: datetime, met: datetime | None,
              status: str | None = None) -> None:
    session.add(Deadline(
        case_id=case_id, key="containment", kind="obligation", title="D3 containment",
        started_by="open", started_seq=1, started_at=due - D, due_at=due,
        status=status or ("met" if met is not None else "pending"), closed_at=met,
        met_on_time=None if met is None else met <= due,
    ))
    session.commit()


def _speed(session: Session, month: str) -> dict[str, Any]:
    [result] = run_month(session, month=month, now=run_time(month), policy=policy(),
                         actor="capaflow")
    session.commit()
    speed: dict[str, Any] = result.components["response_speed"]
    return speed


def test_a_deadline_still_owed_counts_again_each_month_until_it_is_met(session: Session) -> None:
    acme = supplier(session)
    case_id = case_for(session, acme, datetime(2026, 1, 1, tzinfo=UTC))
    _deadline(session, case_id, due=datetime(2026, 1, 20, tzinfo=UTC),
              met=datetime(2026, 2, 10, tzinfo=UTC))
    january = _speed(session, "2026-01")
    february = _speed(session, "2026-02")
    march = _speed(session, "2026-03")
    assert (january["open_late"], january["late"], january["carried_over"]) == (1, 0, 0)
    assert (february["open_late"], february["late"], february["carried_over"]) == (0, 1, 1)
    assert february["days_late"] == 21.0
    assert march["deadlines_due"] == 0 and march["points"] is None


def test_cancelled_deadlines_and_cancelled_cases_owe_nothing(session: Session) -> None:
    acme = supplier(session)
    lot(session, acme, datetime(2026, 2, 3, tzinfo=UTC))  # something to grade
    case_id = case_for(session, acme, datetime(2026, 2, 1, tzinfo=UTC))
    _deadline(session, case_id, due=datetime(2026, 2, 5, tzinfo=UTC), met=None,
              status="cancelled")
    dropped = case_for(session, acme, datetime(2026, 2, 1, tzinfo=UTC))
    _deadline(session, dropped, due=datetime(2026, 2, 5, tzinfo=UTC), met=None)
    row = session.get(Case, dropped)
    assert row is not None
    row.state = "cancelled"
    session.add(row)
    session.commit()
    assert _speed(session, FEB)["deadlines_due"] == 0
