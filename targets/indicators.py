"""The indicators of the monthly review, one registry entry each: its name, title, unit,
direction, measurement method and the function that measures it for a department and a
period (docs/architecture.md, "Service quality control").

A measuring function takes (session, department, start, end) and answers the figure of
[start, end), or None when there is nothing to measure. `department` is the department's code
(a `str`) that also carries the desk teams working there (`Department.teams`): the service
desk's figures are kept per team, the other parts' per department code. An entry may also
give a `series`, all the months of a trend in one query; without one the trend measures
month by month.

The service desk's three indicators reuse the monthly service report's definitions
(servicedesk/reports.py): an SLA clock counts in the month it falls due, met on time or
breached; an answer is satisfied from `SATISFIED_FROM`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlmodel import Session

from capaflow.incidents.figures import incident_count
from capaflow.servicedesk.reports import (
    SATISFIED_FROM,
    SLA_KEYS,
    bucket,
    clock_outcomes,
    deadlines_table,
    follow_ups_table,
    requests_table,
)
from capaflow.spotchecks.figures import conformance
from capaflow.standards.figures import inspection_score


class Department(str):
    """A department's code, carrying the desk teams whose people work there."""

    teams: tuple[str, ...]

    def __new__(cls, code: str, teams: Sequence[str] = ()) -> Department:
        department = super().__new__(cls, code)
        department.teams = tuple(teams)
        return department


Measure = Callable[[Session, Department, datetime, datetime], float | None]
# edges: the months' count + 1 boundaries, oldest first; one figure per month.
Series = Callable[[Session, Department, Sequence[datetime]], list[float | None]]
Direction = Literal["at_least", "at_most"]


@dataclass(frozen=True)
class Indicator:
    name: str
    title: str
    unit: Literal["share", "count"]
    direction: Direction
    method: str
    measure: Measure
    series: Series | None = None

    def met(self, value: float | None, target: float | None) -> bool | None:
        """Whether `value` meets `target`; None when either is missing."""
        if value is None or target is None:
            return None
        return value >= target if self.direction == "at_least" else value <= target

    def trend(self, session: Session, department: Department,
              edges: Sequence[datetime]) -> list[float | None]:
        if self.series is not None:
            return self.series(session, department, edges)
        return [self.measure(session, department, start, end)
                for start, end in zip(edges, edges[1:], strict=False)]


# The figures of every team per month, kept in the session for the review that reads them:
# each department's series then sums its teams, and a review of three departments reads the
# clocks once, not three times (bench/servicecontrol_review.py). targets.review clears it
# when a review begins, so figures are never carried from one review to the next.
TEAM_SUMS = "targets.team_sums"
Sums = dict[tuple[str, int], tuple[int, int]]


def clear_team_sums(session: Session) -> None:
    session.info.pop(TEAM_SUMS, None)


def _team_sums(session: Session, name: str, edges: Sequence[datetime],
               query: Callable[[], Any]) -> Sums:
    cache: dict[tuple[str, tuple[datetime, ...]], Sums] = session.info.setdefault(TEAM_SUMS, {})
    key = (name, tuple(edges))
    if key not in cache:
        months = len(edges) - 1
        cache[key] = {(str(row.team), int(row.b)): (int(row.x or 0), int(row.y or 0))
                      for row in session.execute(query()) if 0 <= int(row.b) < months}
    return cache[key]


def _summed(sums: Sums, teams: Sequence[str], months: int) -> list[tuple[int, int]]:
    return [(sum(sums.get((t, k), (0, 0))[0] for t in teams),
             sum(sums.get((t, k), (0, 0))[1] for t in teams)) for k in range(months)]


def sla_attainment_series(session: Session, department: Department,
                          edges: Sequence[datetime]) -> list[float | None]:
    """Met on time / counted of the SLA clocks of the department's teams falling due in each
    month, as the service report counts them at the last edge."""
    months = len(edges) - 1
    if not department.teams:
        return [None] * months
    d, r = deadlines_table.c, requests_table.c
    on_time, breached = clock_outcomes(edges[-1])

    def query() -> Any:
        return (
            select(r.team, bucket(d.due_at, edges).label("b"),
                   func.sum(case((on_time, 1), else_=0)).label("x"),
                   func.sum(case((breached, 1), else_=0)).label("y"))
            .select_from(deadlines_table.join(requests_table, r.case_id == d.case_id))
            .where(d.key.in_(SLA_KEYS), d.due_at >= edges[0], d.due_at < edges[-1])
            .group_by(r.team, "b")
        )

    found = _summed(_team_sums(session, "sla_attainment", edges, query), department.teams,
                    months)
    return [round(met / (met + missed), 4) if met + missed else None for met, missed in found]


def satisfaction_series(session: Session, department: Department,
                        edges: Sequence[datetime]) -> list[float | None]:
    """CSAT of the follow-ups of the department's requests answered in each month."""
    months = len(edges) - 1
    if not department.teams:
        return [None] * months
    f, r = follow_ups_table.c, requests_table.c
    satisfied: ColumnElement[int] = case((f.overall >= SATISFIED_FROM, 1), else_=0)

    def query() -> Any:
        return (
            select(r.team, bucket(f.answered_at, edges).label("b"),
                   func.sum(satisfied).label("x"), func.count(f.overall).label("y"))
            .select_from(follow_ups_table.join(requests_table, r.case_id == f.case_id))
            .where(f.status == "answered", f.answered_at >= edges[0],
                   f.answered_at < edges[-1])
            .group_by(r.team, "b")
        )

    found = _summed(_team_sums(session, "satisfaction", edges, query), department.teams,
                    months)
    return [round(happy / answers, 4) if answers else None for happy, answers in found]


def complaints_series(session: Session, department: Department,
                      edges: Sequence[datetime]) -> list[float | None]:
    """Complaints and claims received in each month by the department's teams."""
    months = len(edges) - 1
    if not department.teams:
        return [None] * months
    r = requests_table.c

    def query() -> Any:
        return (
            select(r.team, bucket(r.received_at, edges).label("b"),
                   func.count().label("x"), literal(0).label("y"))
            .where(r.kind.in_(("complaint", "claim")), r.received_at >= edges[0],
                   r.received_at < edges[-1])
            .group_by(r.team, "b")
        )

    found = _summed(_team_sums(session, "complaints", edges, query), department.teams, months)
    return [float(n) for n, _ in found]


def _one_month(series: Series) -> Measure:
    def measure(session: Session, department: Department, start: datetime,
                end: datetime) -> float | None:
        return series(session, department, [start, end])[0]
    return measure


def inspection_share(session: Session, department: Department, start: datetime,
                     end: datetime) -> float | None:
    """The rounds' mean score (0-100 points) as a share, as the other shares are shown."""
    score = inspection_score(session, department, start, end)
    return None if score is None else round(score / 100, 4)


def incidents_declared(session: Session, department: Department, start: datetime,
                       end: datetime) -> float | None:
    return float(incident_count(session, department, start, end))


INDICATORS: dict[str, Indicator] = {
    indicator.name: indicator for indicator in (
        Indicator(
            name="sla_attainment", title="SLA attainment", unit="share", direction="at_least",
            method="SLA clocks (first response, resolution) of the department's requests "
                   "falling due in the month: met on time / (met on time + breached).",
            measure=_one_month(sla_attainment_series), series=sla_attainment_series),
        Indicator(
            name="satisfaction", title="Customer satisfaction (CSAT)", unit="share",
            direction="at_least",
            method=f"Follow-ups of the department's requests answered in the month: share "
                   f"with overall satisfaction {SATISFIED_FROM} or 5.",
            measure=_one_month(satisfaction_series), series=satisfaction_series),
        Indicator(
            name="complaints", title="Complaints and claims", unit="count",
            direction="at_most",
            method="Complaints and claims received in the month by the department's teams.",
            measure=_one_month(complaints_series), series=complaints_series),
        # The next three are measured by their own packages: standards (inspection rounds),
        # spotchecks (the weekly draw's reviews) and incidents.
        Indicator(
            name="inspection_score", title="Quality inspection score", unit="share",
            direction="at_least",
            method="Mean score of the department's quality inspection rounds in the month "
                   "(a failed critical item scores the round 0), as a share of 100 points.",
            measure=inspection_share),
        Indicator(
            name="spotcheck_conformance", title="Spot-check conformance", unit="share",
            direction="at_least",
            method="Share of the standard's items passed in the spot-check reviews done in "
                   "the month of the department's people's requests.",
            measure=conformance),
        Indicator(
            name="incidents", title="Emergency incidents", unit="count", direction="at_most",
            method="Incidents declared in the month in the department, drills not counted.",
            measure=incidents_declared),
    )
}
