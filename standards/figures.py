"""The figures of quality inspections the monthly review reads (docs/architecture.md,
"Service quality control"): the mean inspection score, open findings with their fix due
and whether it is late, and failed items by 5M1E factor (the Pareto of causes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from capaflow.config.policies import FACTORS
from capaflow.models import Case, Deadline, InspectionFinding, InspectionRound


def inspection_score(
    session: Session, department: str, start: datetime, end: datetime
) -> float | None:
    """Mean score of the department's rounds recorded in [start, end); None if none were."""
    mean = session.exec(
        select(func.avg(InspectionRound.score))
        .where(InspectionRound.department == department)
        .where(col(InspectionRound.recorded_at) >= start)
        .where(col(InspectionRound.recorded_at) < end)
    ).one()
    return None if mean is None else round(float(mean), 2)


@dataclass(frozen=True)
class OpenFinding:
    id: int
    round_id: int
    department: str
    item_code: str
    factor: str
    critical: bool
    owner: str
    found_at: datetime
    due_at: datetime | None
    late: bool


def open_findings(session: Session, department: str | None, at: datetime) -> list[OpenFinding]:
    """The findings found by `at` and not closed by then, oldest first, each with its fix's
    due time and whether it is late at `at`."""
    query = (
        select(InspectionFinding, Case, Deadline.due_at)
        .join(Case, col(Case.id) == col(InspectionFinding.case_id))
        .outerjoin(Deadline, (col(Deadline.case_id) == col(InspectionFinding.case_id))
                   & (col(Deadline.key) == "fix"))
        .where(col(InspectionFinding.found_at) <= at)
        .where(or_(col(Case.closed_at).is_(None), col(Case.closed_at) > at))
        .order_by(col(InspectionFinding.found_at), col(InspectionFinding.case_id))
    )
    if department is not None:
        query = query.where(InspectionFinding.department == department)
    return [OpenFinding(id=f.case_id, round_id=f.round_id, department=f.department,
                        item_code=f.item_code, factor=f.factor, critical=f.critical,
                        owner=f.owner, found_at=f.found_at, due_at=due,
                        late=due is not None and due < at)
            for f, _, due in session.exec(query)]


def failed_by_factor(
    session: Session, department: str | None, start: datetime, end: datetime
) -> dict[str, int]:
    """Failed items found in [start, end) by 5M1E factor, every factor present, most first."""
    query = (select(InspectionFinding.factor, func.count())
             .where(col(InspectionFinding.found_at) >= start)
             .where(col(InspectionFinding.found_at) < end)
             .group_by(col(InspectionFinding.factor)))
    if department is not None:
        query = query.where(InspectionFinding.department == department)
    counts = {factor: 0 for factor in FACTORS}
    for factor, count in session.exec(query):
        counts[factor] = int(count)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], FACTORS.index(kv[0]))))
