"""Six months of supplier grades in the demo, so the supplier page's grade chart, the
components of the score, the PPM trend and the defect Pareto show history on `make run`
(docs/architecture.md, "Supplier performance explained").

Every lot goes through incoming inspection and every month through the monthly run, with its
own simulated time, as the CLI would take them. All lots are accepted (a rejected lot would
open a case and a 100 % hold), and the grades move one step at a time, so no escalation
fires: the demo's cases and notices stay the ones the tour describes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.inspection import InspectionPolicy, plan_for, record_lot
from capaflow.intake import IntakePolicy
from capaflow.scorecards import months
from capaflow.scorecards.decisions import rate_supplier
from capaflow.scorecards.grading import run_month
from capaflow.scorecards.policy import ScorecardPolicy

INSPECTOR = "demo"
LOT_SIZE = 1000
LOTS_A_MONTH = 4
# Per supplier, oldest month first: (part, defects found in each month's lots, the quality
# lead's rating). The defects stay within each plan's acceptance number; with the default
# weights they grade ACME B, B, A, B, C, B and BOLTCO A, A, B, A, B, B (the last month
# a grade lower when the demo cases' late deadlines fall in it: still one step).
PLAN = {
    "ACME": ("BRK-220", ("BURR", "SCRATCH", "DENT"), (
        ((1, 0, 0, 0), "cooperative"), ((0, 1, 0, 0), "cooperative"),
        ((0, 0, 0, 0), "cooperative"), ((0, 0, 1, 0), "cooperative"),
        ((1, 0, 1, 0), "basically_cooperative"), ((0, 1, 0, 0), "cooperative"))),
    "BOLTCO": ("M8-45", ("TORQUE-LOW", "THREAD"), (
        ((0, 0, 0, 0), "very_cooperative"), ((0, 0, 0, 0), "cooperative"),
        ((1, 0, 0, 0), "cooperative"), ((0, 0, 0, 0), "cooperative"),
        ((0, 1, 0, 0), "cooperative"), ((0, 1, 0, 0), "cooperative"))),
}


def seed_grades(
    session: Session, *, now: datetime, policy: DeadlinePolicy, inspection: InspectionPolicy,
    intake: IntakePolicy, scorecard: ScorecardPolicy,
) -> int:
    """Lots, ratings and grades for the six months before now's; the months graded."""
    zone = scorecard.calendar.zone
    current = months.month_of(now, zone)
    graded = [months.shift(current, -k) for k in range(len(PLAN["ACME"][2]), 0, -1)]
    for index, month in enumerate(graded):
        start, _end = months.bounds(month, zone)
        for code, (part, defect_codes, history) in PLAN.items():
            found, attitude = history[index]
            for n, defects in enumerate(found):
                at = start + timedelta(days=3 + 7 * n, hours=9)
                sampled = plan_for(session, supplier_code=code, part=part, lot_size=LOT_SIZE,
                                   aql=None, level=None, now=at, policy=inspection)
                record_lot(
                    session, supplier_code=code, part=part, lot=f"{month}-{n + 1}",
                    lot_size=LOT_SIZE, sampled=sampled.sample_size,
                    defects=min(defects, sampled.acceptance_number),
                    defect_code=defect_codes[(index + n) % len(defect_codes)] if defects
                    else None,
                    aql=None, level=None, inspected_at=at, now=at, policy=inspection,
                    intake_policy=intake, actor=INSPECTOR, deadline_policy=policy,
                )
            rate_supplier(session, code=code, month=month, attitude=attitude,
                          actor=INSPECTOR, now=start + timedelta(days=27), policy=scorecard)
        _start, end = months.bounds(month, zone)
        run_month(session, month=month, now=end + timedelta(hours=6), policy=scorecard,
                  actor="capaflow")
    return len(graded)
