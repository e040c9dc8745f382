"""Closing a month of the review (docs/architecture.md, "Service quality control"): its
figures are kept, and each indicator the rule says is due opens its PDCA cycle, in one
transaction.

The one writer of the review: `capa review close-month` and the monthly review flow (after
the month's end) call it; `capa review month`, the API and the page only read. Closing a
month again keeps nothing new and opens nothing new (the kept figures and the cycle of a
month are unique), so the flow may run twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from capaflow.calendars import readable
from capaflow.casework.engine import open_case, record_fact
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput
from capaflow.models import IndicatorCycle, ReviewFigure
from capaflow.scorecards import months
from capaflow.targets.indicators import INDICATORS
from capaflow.targets.policy import ReviewPolicy
from capaflow.targets.review import (
    DUE,
    DepartmentReview,
    IndicatorReview,
    MonthlyReview,
    monthly_review,
)

# The fact on the cycle's trail that says which indicator, month and figures opened it.
INDICATOR_MISSED = "indicator_missed"


@dataclass(frozen=True)
class OpenedCycle:
    case_id: int
    department: str
    indicator: str
    earlier_case_id: int | None
    act_failed: bool


@dataclass(frozen=True)
class ClosedMonth:
    month: str
    kept: int  # figures kept now (0 when the month was closed before)
    review: MonthlyReview
    opened: list[OpenedCycle] = field(default_factory=list)


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    return f"{value * 100:.1f} %" if unit == "share" else f"{value:g}"


def _problem(department: DepartmentReview, row: IndicatorReview, act_failed: bool,
             earlier: int | None) -> str:
    wanted = "at least" if row.direction == "at_least" else "at most"
    lines = [f"{department.title}: {row.title} missed its target ({wanted} "
             f"{_figure(row.target, row.unit)}):"]
    lines += [f"- {t.month}: {_figure(t.value, row.unit)}" for t in row.trend[-2:]]
    lines.append(f"Measured as: {row.method}")
    if act_failed and earlier is not None:
        lines.append(f"PDCA cycle #{earlier} closed the month before and the indicator missed "
                     "again right after: its act step did not hold. Analyse the cause, not "
                     "only the symptom.")
    elif earlier is not None:
        lines.append(f"The indicator's earlier PDCA cycle was #{earlier}.")
    return "\n".join(lines)


def close_month(session: Session, *, month: str, now: datetime, review: ReviewPolicy,
                policy: DeadlinePolicy) -> ClosedMonth:
    """Keep `month`'s figures (once) and open the PDCA cycles the rule says are due."""
    zone, owner, actor = review.zone, review.owner, review.actor
    month = months.check_not_future(month, now, zone)
    end = months.bounds(month, zone)[1]
    if end > now:
        raise BadInput(f"month: {month} has not ended yet (it ends {readable(end)}); a month "
                       "is closed after its end", field="month")
    shown = monthly_review(session, month=month, department=None, now=now, review=review)
    kept = 0
    if not shown.closed:
        for department in shown.departments:
            for row in department.indicators:
                session.add(ReviewFigure(month=month, department=department.code,
                                         indicator=row.name, value=row.value,
                                         target=row.target, met=row.met, kept_at=now))
                kept += 1
        session.flush()
    opened = []
    for department in shown.departments:
        for row in department.indicators:
            if row.verdict.status != DUE:
                continue
            earlier, act_failed = row.verdict.earlier_case_id, row.verdict.act_failed
            step = open_case(
                session, lifecycle="pdca",
                title=f"{department.title}: {row.title} missed its target in {month}"[:300],
                supplier_code=None, part=None, defect_code=None, severity="major",
                complex_cause=False, owner=owner, team=None,
                problem=_problem(department, row, act_failed, earlier), actor=actor, now=now,
                policy=policy, linked_case_id=earlier)
            case_id = step.case.id
            assert case_id is not None
            indicator = INDICATORS[row.name]
            record_fact(
                session, case_id=case_id, action=INDICATOR_MISSED,
                fields={"department": department.code, "indicator": row.name, "month": month,
                        "value": row.value, "target": row.target,
                        "direction": indicator.direction, "earlier_case": earlier,
                        "act_failed": act_failed},
                note=None, actor=actor, now=now, policy=policy,
                content={"indicator": {"department": department.code, "name": row.name,
                                       "target": row.target, "direction": indicator.direction}},
                tell_owner=False)
            session.add(IndicatorCycle(department=department.code, indicator=row.name,
                                       month=month, case_id=case_id, earlier_case_id=earlier,
                                       act_failed=act_failed, opened_at=now))
            session.flush()
            opened.append(OpenedCycle(case_id=case_id, department=department.code,
                                      indicator=row.name, earlier_case_id=earlier,
                                      act_failed=act_failed))
    final = monthly_review(session, month=month, department=None, now=now, review=review)
    return ClosedMonth(month=month, kept=kept, opened=opened, review=final)
