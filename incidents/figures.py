"""The incidents' figures for the monthly review (docs/architecture.md, "Service quality
control"): how many, which (with their late steps and whether reviewed), and the causes by
factor. Periods are half-open: `start <= declared_at < end`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from capaflow.config.policies import FACTORS
from capaflow.models import Incident, IncidentStep


@dataclass(frozen=True)
class IncidentFigure:
    case_id: int
    type: str
    severity: str
    department: str | None
    drill: bool
    declared_at: datetime
    steps: int
    # Done after their due time, or not done and already due at the period's end.
    steps_late: int
    review_done: bool
    factor: str | None


def incident_count(session: Session, department: str | None, start: datetime, end: datetime,
                   *, drills: bool = False) -> int:
    """Incidents declared in [start, end) (drills instead when `drills`); `department` None:
    all of them."""
    query = (select(func.count()).select_from(Incident)
             .where(col(Incident.declared_at) >= start).where(col(Incident.declared_at) < end)
             .where(col(Incident.drill) == drills))
    if department is not None:
        query = query.where(Incident.department == department)
    return int(session.exec(query).one())


def incidents_in(session: Session, start: datetime, end: datetime) -> list[IncidentFigure]:
    """The incidents (not drills) declared in [start, end), oldest first."""
    incidents = list(session.exec(
        select(Incident).where(col(Incident.declared_at) >= start)
        .where(col(Incident.declared_at) < end).where(col(Incident.drill).is_(False))
        .order_by(col(Incident.declared_at))))
    ids = [i.case_id for i in incidents]
    steps: dict[int, list[IncidentStep]] = {i: [] for i in ids}
    if ids:
        for s in session.exec(select(IncidentStep).where(col(IncidentStep.case_id).in_(ids))):
            steps[s.case_id].append(s)
    figures = []
    for i in incidents:
        own = steps[i.case_id]
        # Not done: late if due before the response ended (the close), or before the
        # period's end while it still runs.
        until = i.closed_at if i.closed_at is not None and i.closed_at < end else end
        late = sum(1 for s in own if (s.done_at is not None and s.done_at > s.due_at)
                   or (s.done_at is None and s.due_at < until))
        figures.append(IncidentFigure(
            case_id=i.case_id, type=i.type, severity=i.severity, department=i.department,
            drill=i.drill, declared_at=i.declared_at, steps=len(own), steps_late=late,
            review_done=i.reviewed_at is not None, factor=i.factor))
    return figures


def causes_by_factor(session: Session, department: str | None, start: datetime,
                     end: datetime) -> dict[str, int]:
    """The post-incident reviews made in [start, end), counted by their cause's factor
    (every factor present, zero when none)."""
    query = (select(Incident.factor, func.count()).where(col(Incident.reviewed_at) >= start)
             .where(col(Incident.reviewed_at) < end).where(col(Incident.factor).is_not(None))
             .group_by(Incident.factor))
    if department is not None:
        query = query.where(Incident.department == department)
    counts = dict.fromkeys(FACTORS, 0)
    for factor, n in session.exec(query):
        if factor is not None:
            counts[factor] = int(n)
    return counts
