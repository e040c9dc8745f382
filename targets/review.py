"""The monthly review of service quality, read only (docs/architecture.md, "Service quality
control"): for each department, each indicator's figure of the month against its target with
a 12-month trend, what the "two misses running" rule says of it, the actions open or late,
the month's incidents and the Pareto of causes by the six factors.

A month's figure is the one kept when the month was closed (targets.closing), or, for a month
not closed yet, measured now over [month start, min(month end, now)). Nothing here writes:
`capa review month` and the page show this; closing the month acts on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from capaflow.config.departments import DepartmentSection
from capaflow.config.targets import Targets
from capaflow.errors import BadInput
from capaflow.models import Case, IndicatorCycle, ReviewFigure
from capaflow.scorecards import months
from capaflow.servicedesk.reports import ParetoRow, month_edges, pareto
from capaflow.targets.indicators import INDICATORS, Department, Indicator, clear_team_sums
from capaflow.targets.policy import ReviewPolicy
from capaflow.targets.sources import (
    ACTION_SOURCES,
    CAUSE_SOURCES,
    INCIDENT_SOURCES,
    MonthIncident,
    OpenAction,
)

TREND_MONTHS = 12

# What the rule says of an indicator this month.
NONE = "none"  # met, or not measured, or missed once
OPEN = "cycle_open"  # missed, and the cycle it opened earlier is still open
DUE = "cycle_due"  # missed twice running (or again right after its cycle closed): opens one
OPENED = "cycle_opened"  # closing this month opened the cycle


@dataclass(frozen=True)
class TrendValue:
    month: str
    value: float | None
    target: float | None
    met: bool | None


@dataclass(frozen=True)
class Verdict:
    status: str
    cycle_case_id: int | None = None  # the open cycle, or the one this month opened
    earlier_case_id: int | None = None  # the indicator's cycle before it
    act_failed: bool = False  # the earlier cycle closed and the indicator missed right after


@dataclass(frozen=True)
class IndicatorReview:
    name: str
    title: str
    unit: str
    direction: str
    method: str
    value: float | None
    target: float | None
    met: bool | None
    kept: bool  # the figure is the one kept when the month was closed
    trend: list[TrendValue]
    verdict: Verdict


@dataclass(frozen=True)
class DepartmentReview:
    code: str
    title: str
    teams: list[str]
    indicators: list[IndicatorReview]
    actions: list[OpenAction]
    incidents: list[MonthIncident]
    causes: list[ParetoRow]
    causes_total: int


@dataclass(frozen=True)
class MonthlyReview:
    month: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    computed_at: datetime
    closed: bool  # the month's figures are kept
    departments: list[DepartmentReview] = field(default_factory=list)


def departments_of(departments: Mapping[str, DepartmentSection],
                   wanted: str | None) -> list[tuple[Department, str]]:
    """The departments to review (all, or the one named), each with its title."""
    if wanted is not None and wanted not in departments:
        raise BadInput(f"department: '{wanted}' is not a department (known: "
                       f"{', '.join(departments) or 'none'})", field="department")
    return [(Department(code, section.teams), section.title)
            for code, section in departments.items() if wanted in (None, code)]


def target_of(targets: Targets, department: str, indicator: str, month: str) -> float | None:
    found = targets.get(department, {}).get(indicator)
    return None if found is None else found.for_month(month)


def kept_figures(session: Session, first: str, last: str,
                 department: str | None = None) -> dict[tuple[str, str, str], ReviewFigure]:
    """The kept figures of the months first..last, by (month, department, indicator)."""
    query = select(ReviewFigure).where(col(ReviewFigure.month) >= first,
                                       col(ReviewFigure.month) <= last)
    if department is not None:
        query = query.where(ReviewFigure.department == department)
    return {(f.month, f.department, f.indicator): f for f in session.exec(query)}


@dataclass(frozen=True)
class Figures:
    """One indicator's months for a department: name → (value, target, met, kept)."""

    names: list[str]
    values: list[float | None]
    targets: list[float | None]
    met: list[bool | None]
    kept: list[bool]


def figures(session: Session, indicator: Indicator, department: Department,
            names: Sequence[str], edges: Sequence[datetime], targets: Targets,
            kept: Mapping[tuple[str, str, str], ReviewFigure]) -> Figures:
    measured = indicator.trend(session, department, edges)
    values, goals, met, was_kept = [], [], [], []
    for name, value in zip(names, measured, strict=True):
        row = kept.get((name, str(department), indicator.name))
        if row is not None:
            values.append(row.value)
            goals.append(row.target)
            met.append(row.met)
            was_kept.append(True)
            continue
        goal = target_of(targets, str(department), indicator.name, name)
        values.append(value)
        goals.append(goal)
        met.append(indicator.met(value, goal))
        was_kept.append(False)
    return Figures(list(names), values, goals, met, was_kept)


def latest_cycle(session: Session, department: str, indicator: str) -> IndicatorCycle | None:
    query = (select(IndicatorCycle)
             .where(IndicatorCycle.department == department,
                    IndicatorCycle.indicator == indicator)
             .order_by(col(IndicatorCycle.id).desc()).limit(1))
    return session.exec(query).first()


def verdict(session: Session, *, department: str, indicator: str, month: str,
            missed_now: bool, missed_before: bool, zone: ZoneInfo) -> Verdict:
    """The rule (docs/architecture.md, "Service quality control"): missing this month and the
    one before opens one PDCA cycle for the department and indicator, never a second while one
    is open; once it closes, only misses after the month it closed count toward a new run. A
    miss in the month right after a cycle closed as standardised means its "act" did not hold:
    a new cycle opens at once, referring to it (dynamic PDCA)."""
    opened = session.exec(select(IndicatorCycle).where(
        IndicatorCycle.department == department, IndicatorCycle.indicator == indicator,
        IndicatorCycle.month == month)).first()
    if opened is not None:
        return Verdict(OPENED, opened.case_id, opened.earlier_case_id, opened.act_failed)
    if not missed_now:
        return Verdict(NONE)
    earlier = latest_cycle(session, department, indicator)
    case = session.get(Case, earlier.case_id) if earlier is not None else None
    if earlier is None or case is None:
        return Verdict(DUE) if missed_before else Verdict(NONE)
    if case.closed_at is None and case.state not in ("closed", "cancelled"):
        return Verdict(OPEN, case.id, earlier.earlier_case_id)
    closed_month = months.month_of(case.closed_at or case.updated_at, zone)
    before = months.shift(month, -1)
    if case.state == "closed" and closed_month == before:
        return Verdict(DUE, earlier_case_id=case.id, act_failed=True)
    if missed_before and closed_month < before:
        return Verdict(DUE, earlier_case_id=case.id)
    return Verdict(NONE, earlier_case_id=case.id)


def review_edges(month: str, now: datetime, zone: ZoneInfo) -> tuple[list[str], list[datetime]]:
    """The trend's months ending with `month` and their edges, the last cut at `now`."""
    names, edges = month_edges(month, zone, TREND_MONTHS)
    edges[-1] = min(edges[-1], now)
    return names, edges


def monthly_review(session: Session, *, month: str, department: str | None, now: datetime,
                   review: ReviewPolicy) -> MonthlyReview:
    """The review of `month` ("YYYY-MM", not after now's) for every department or one."""
    zone, departments, targets = review.zone, review.departments, review.targets
    clear_team_sums(session)
    month = months.check_not_future(month, now, zone)
    chosen = departments_of(departments, department)
    names, edges = review_edges(month, now, zone)
    start, end = months.bounds(month, zone)
    kept = kept_figures(session, names[0], names[-1], department)
    reviews = []
    for dept, title in chosen:
        rows = []
        for indicator in INDICATORS.values():
            found = figures(session, indicator, dept, names, edges, targets, kept)
            rows.append(IndicatorReview(
                name=indicator.name, title=indicator.title, unit=indicator.unit,
                direction=indicator.direction, method=indicator.method,
                value=found.values[-1], target=found.targets[-1], met=found.met[-1],
                kept=found.kept[-1],
                trend=[TrendValue(m, v, t, k) for m, v, t, k in
                       zip(found.names, found.values, found.targets, found.met, strict=True)],
                verdict=verdict(session, department=str(dept), indicator=indicator.name,
                                month=month, missed_now=found.met[-1] is False,
                                missed_before=found.met[-2] is False, zone=zone),
            ))
        at = min(end, now)
        causes: dict[str, int] = {}
        for cause_source in CAUSE_SOURCES:
            for factor, count in cause_source(session, dept, start, at).items():
                causes[factor] = causes.get(factor, 0) + count
        actions = [a for source in ACTION_SOURCES for a in source(session, dept, now)]
        incidents = [i for source in INCIDENT_SOURCES for i in source(session, dept, start, at)]
        ordered = pareto(list(causes.items()))
        reviews.append(DepartmentReview(
            code=str(dept), title=title, teams=list(dept.teams), indicators=rows,
            actions=actions, incidents=incidents, causes=ordered,
            causes_total=sum(p.count for p in ordered)))
    closed = any(key[0] == month for key in kept)
    return MonthlyReview(month=month, timezone=zone.key, starts_at=start, ends_at=end,
                         computed_at=now, closed=closed, departments=reviews)
