"""The monthly service report: what came in, how the SLA clocks fared, what customers said,
the complaints by category and the claims (docs/architecture.md, "Service desk").

Every figure is a GROUP BY in the database, so the report costs a few scans however many
requests there are (bench/service.py runs it over 1,000,000). The definitions, as the README's
"Service reports" tells them to a service manager:

- A month is `[calendar]`'s month in its time zone: [first instant, next month's first).
- **Requests** are those received in the month, counted by kind, channel, tier and severity.
- **SLA attainment**: each SLA clock (`first_response`, `resolution`) counts once, in the
  month its due time falls in. It is *met on time*, or *breached*: met late, still running
  past its due time at `now`, or put on hold after its due time had passed. A clock not yet
  due, on hold before it was due (its due time moves on resume) or cancelled (the request
  was) is not counted. Attainment = met on time / counted, per clock, by tier, severity and
  team. A request's tier, severity and team are those it has now (an escalation counts at the
  severity it ended with).
- **Satisfaction** counts the follow-ups answered in the month: CSAT = share of answers with
  overall ≥ 4; NPS = % promoters (9-10) − % detractors (0-6) over the answers with an NPS;
  each dimension's mean over the answers that scored it. Response rate = answered / (answered
  + no response), where a follow-up without answer counts as "no response" in the month it
  expired (the sweep then closes its request as `no_response`).
- **Trend**: CSAT, NPS and attainment for each of the twelve months ending with the month.
- **Complaints**: by category, most first, with each share and the cumulative share (Pareto).
- **Claims**: every claim received in the month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.sql.elements import Label
from sqlmodel import Session

from capaflow.config.service import DIMENSIONS
from capaflow.models import Case, Customer, Deadline, FollowUp, ServiceRequest
from capaflow.models.deadline import MET, ON_HOLD, PENDING
from capaflow.scorecards import months
from capaflow.statemachines.service import OPEN_STATES

SLA_KEYS = ("first_response", "resolution")
# An answer is satisfied (counts for CSAT) from this overall score up.
SATISFIED_FROM = 4
TREND_MONTHS = 12
# Beyond this the breach list is cut (the total is still given): a report is read by people.
BREACH_LIMIT = 500

deadlines_table = Deadline.__table__  # type: ignore[attr-defined]
requests_table = ServiceRequest.__table__  # type: ignore[attr-defined]
follow_ups_table = FollowUp.__table__  # type: ignore[attr-defined]
cases_table = Case.__table__  # type: ignore[attr-defined]
customers_table = Customer.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Attainment:
    group: str
    counted: int
    met_on_time: int
    breached: int
    share: float | None  # met on time / counted; None when nothing counted


@dataclass(frozen=True)
class ClockAttainment(Attainment):
    by_tier: list[Attainment] = field(default_factory=list)
    by_severity: list[Attainment] = field(default_factory=list)
    by_team: list[Attainment] = field(default_factory=list)


@dataclass(frozen=True)
class Breach:
    request: int
    title: str
    customer: str
    tier: str
    severity: str
    team: str
    clock: str
    due_at: datetime
    met_at: datetime | None
    late_minutes: int
    running: bool  # not met yet (running or on hold)


@dataclass(frozen=True)
class Satisfaction:
    answered: int
    no_response: int
    response_rate: float | None
    csat: float | None
    csat_answers: int
    nps: float | None
    nps_answers: int
    promoters: int
    detractors: int
    dimensions: dict[str, float | None]


@dataclass(frozen=True)
class TrendPoint:
    month: str
    csat: float | None
    nps: float | None
    first_response: float | None
    resolution: float | None
    answered: int
    clocks: int


@dataclass(frozen=True)
class ParetoRow:
    category: str
    count: int
    share: float
    cumulative_share: float


@dataclass(frozen=True)
class Received:
    request: int
    kind: str
    title: str
    customer: str
    severity: str
    state: str
    received_at: datetime
    corrective_case: int | None


@dataclass(frozen=True)
class ServiceReport:
    month: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    computed_at: datetime
    received: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    by_tier: dict[str, int]
    by_severity: dict[str, int]
    attainment: list[ClockAttainment]
    breaches: list[Breach]
    breaches_total: int
    satisfaction: Satisfaction
    trend: list[TrendPoint]
    complaints: list[ParetoRow]
    complaints_total: int
    claims: list[Received]


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def month_edges(month: str, zone: ZoneInfo, count: int) -> tuple[list[str], list[datetime]]:
    """The `count` months ending with `month`, and their count + 1 edges in UTC."""
    names = [months.shift(month, k - count + 1) for k in range(count)]
    edges = [months.bounds(name, zone)[0] for name in names]
    edges.append(months.bounds(month, zone)[1])
    return names, edges


def bucket(column: Any, edges: Sequence[datetime]) -> ColumnElement[int]:
    """Which of the months between `edges` `column` falls in (0 = the oldest), as SQL: the
    months are cut on the calendar's wall clock, which neither database's date functions know."""
    return case(*((column < edge, k) for k, edge in enumerate(edges[1:-1])),
                else_=len(edges) - 2)


def clock_outcomes(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(met on time, breached) of an SLA clock, as SQL (the module's definition)."""
    d = deadlines_table.c
    on_time = and_(d.status == MET, d.met_on_time == true())
    breached = or_(
        and_(d.status == MET, d.met_on_time == false()),
        and_(d.status == PENDING, d.due_at < now),
        and_(d.status == ON_HOLD, d.hold_started_at > d.due_at),
    )
    return on_time, breached


def _label(expression: ColumnElement[Any], name: str) -> Label[Any]:
    return expression.label(name)


def _attainment(group: str, rows: Sequence[tuple[int, int]]) -> Attainment:
    met = sum(r[0] for r in rows)
    breached = sum(r[1] for r in rows)
    return Attainment(group=group, counted=met + breached, met_on_time=met, breached=breached,
                      share=ratio(met, met + breached))


def _by(rows: list[dict[str, Any]], name: str) -> list[Attainment]:
    groups: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        groups.setdefault(str(row[name]), []).append((row["on_time"], row["breached"]))
    return [_attainment(g, groups[g]) for g in sorted(groups)]


def _clock_sums(on_time: ColumnElement[bool],
                breached: ColumnElement[bool]) -> tuple[Label[Any], Label[Any]]:
    return (_label(func.sum(case((on_time, 1), else_=0)), "on_time"),
            _label(func.sum(case((breached, 1), else_=0)), "breached"))


def _trend_clocks(session: Session, edges: Sequence[datetime],
                  now: datetime) -> dict[tuple[int, str], tuple[int, int]]:
    """(met on time, breached) per month and clock over the trend's months: the deadlines
    alone, no join, in one pass."""
    d = deadlines_table.c
    query = (
        select(_label(bucket(d.due_at, edges), "b"), d.key, *_clock_sums(*clock_outcomes(now)))
        # No filter on the outcome: SQLite would read the clocks through the status index once
        # per branch of it, for most rows of the table; one pass over them is cheaper, and the
        # groups with nothing counted add nothing.
        .where(d.key.in_(SLA_KEYS), d.due_at >= edges[0], d.due_at < edges[-1])
        # By the label: PostgreSQL would not see two renderings of the same CASE (each with
        # its own parameters) as one expression.
        .group_by("b", d.key)
    )
    return {(int(row.b), str(row.key)): (int(row.on_time or 0), int(row.breached or 0))
            for row in session.execute(query)}


def _month_clocks(session: Session, start: datetime, end: datetime,
                  now: datetime) -> list[dict[str, Any]]:
    """(met on time, breached) of the month's clocks by clock, tier, severity and team: the
    request is looked up for the month's clocks only."""
    d, r = deadlines_table.c, requests_table.c
    query = (
        select(d.key, r.tier, r.severity, r.team, *_clock_sums(*clock_outcomes(now)))
        .select_from(deadlines_table.join(requests_table, r.case_id == d.case_id))
        .where(d.key.in_(SLA_KEYS), d.due_at >= start, d.due_at < end)
        .group_by(d.key, r.tier, r.severity, r.team)
    )
    rows = [dict(row._mapping) for row in session.execute(query)]
    return [row for row in rows if row["on_time"] or row["breached"]]


def _satisfaction_rows(session: Session, edges: Sequence[datetime],
                       now: datetime) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """Per month: the answers' sums and counts, and the follow-ups that ended unanswered
    (each in the month it expired), in one pass over the follow-ups."""
    f = follow_ups_table.c
    answered = f.status == "answered"
    ended = case((answered, f.answered_at), else_=f.expires_at)
    sums: list[Label[Any]] = []
    for name in DIMENSIONS:
        sums += [_label(func.sum(f[name]), f"{name}_sum"),
                 _label(func.count(f[name]), f"{name}_n")]
    query = (
        select(_label(bucket(ended, edges), "b"), _label(answered, "answered_row"),
               _label(func.count(), "n"),
               _label(func.sum(case((f.overall >= SATISFIED_FROM, 1), else_=0)), "satisfied"),
               _label(func.count(f.overall), "overall_n"),
               _label(func.sum(case((f.nps >= 9, 1), else_=0)), "promoters"),
               _label(func.sum(case((f.nps <= 6, 1), else_=0)), "detractors"),
               _label(func.count(f.nps), "nps_n"), *sums)
        .where(or_(
            and_(answered, f.answered_at >= edges[0], f.answered_at < edges[-1]),
            and_(f.status.in_(("sent", "expired")), f.expires_at >= edges[0],
                 f.expires_at < edges[-1], f.expires_at <= now),
        ))
        .group_by("b", "answered_row")
    )
    found: dict[int, dict[str, Any]] = {}
    missing: dict[int, int] = {}
    for row in session.execute(query):
        if row.answered_row:
            found[int(row.b)] = {**row._mapping, "answered": int(row.n)}
        else:
            missing[int(row.b)] = int(row.n)
    return found, missing


def _satisfaction(row: dict[str, Any] | None, no_response: int) -> Satisfaction:
    row = row or {}
    answered = int(row.get("answered") or 0)
    nps_n = int(row.get("nps_n") or 0)
    promoters, detractors = int(row.get("promoters") or 0), int(row.get("detractors") or 0)
    dimensions: dict[str, float | None] = {}
    for name in DIMENSIONS:
        n = int(row.get(f"{name}_n") or 0)
        dimensions[name] = round(int(row.get(f"{name}_sum") or 0) / n, 2) if n else None
    return Satisfaction(
        answered=answered, no_response=no_response,
        response_rate=ratio(answered, answered + no_response),
        csat=ratio(int(row.get("satisfied") or 0), int(row.get("overall_n") or 0)),
        csat_answers=int(row.get("overall_n") or 0),
        nps=round(100 * (promoters - detractors) / nps_n, 1) if nps_n else None,
        nps_answers=nps_n, promoters=promoters, detractors=detractors, dimensions=dimensions,
    )


def _counts(session: Session, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    r = requests_table.c
    query = (select(r.kind, r.channel, r.tier, r.severity, _label(func.count(), "n"))
             .where(r.received_at >= start, r.received_at < end)
             .group_by(r.kind, r.channel, r.tier, r.severity))
    counts: dict[str, dict[str, int]] = {"kind": {}, "channel": {}, "tier": {}, "severity": {}}
    for row in session.execute(query):
        for name in counts:
            value = str(getattr(row, name))
            counts[name][value] = counts[name].get(value, 0) + int(row.n)
    return {name: dict(sorted(found.items())) for name, found in counts.items()}


def breaches(session: Session, start: datetime, end: datetime, now: datetime, *,
             limit: int = BREACH_LIMIT) -> list[Breach]:
    """The SLA clocks due in [start, end) that breached, in order of due time."""
    d, r, c, u = deadlines_table.c, requests_table.c, cases_table.c, customers_table.c
    _, breached = clock_outcomes(now)
    query = (
        select(d.case_id, c.title, u.code, r.tier, r.severity, r.team, d.key, d.due_at,
               d.status, d.closed_at, d.hold_started_at)
        .select_from(deadlines_table.join(requests_table, r.case_id == d.case_id)
                     .join(cases_table, c.id == d.case_id)
                     .join(customers_table, u.id == r.customer_id))
        # As a CASE, for the reason _trend_clocks gives.
        .where(d.key.in_(SLA_KEYS), d.due_at >= start, d.due_at < end,
               case((breached, 1), else_=0) == 1)
        .order_by(d.due_at, d.id).limit(limit)
    )
    found = []
    for row in session.execute(query):
        ended = {MET: row.closed_at, ON_HOLD: row.hold_started_at}.get(row.status, now)
        found.append(Breach(
            request=int(row.case_id), title=row.title, customer=row.code, tier=row.tier,
            severity=row.severity, team=row.team, clock=row.key, due_at=row.due_at,
            met_at=row.closed_at if row.status == MET else None,
            late_minutes=int((ended - row.due_at).total_seconds() // 60),
            running=row.status != MET,
        ))
    return found


def pareto(counts: Sequence[tuple[str, int]]) -> list[ParetoRow]:
    """Most first (ties by name), each with its share and the cumulative share."""
    ordered = sorted(counts, key=lambda item: (-item[1], item[0]))
    total = sum(n for _, n in ordered)
    rows, running = [], 0
    for name, n in ordered:
        running += n
        rows.append(ParetoRow(category=name, count=n, share=round(n / total, 4),
                              cumulative_share=round(running / total, 4)))
    return rows


def _complaints(session: Session, start: datetime, end: datetime) -> list[ParetoRow]:
    r = requests_table.c
    query = (select(r.category, _label(func.count(), "n"))
             .where(r.kind == "complaint", r.received_at >= start, r.received_at < end)
             .group_by(r.category))
    return pareto([(str(row.category), int(row.n)) for row in session.execute(query)])


def received_of_kinds(session: Session, kinds: Sequence[str], start: datetime | None,
                      end: datetime, *, open_only: bool = False,
                      limit: int | None = None) -> list[Received]:
    """The requests of `kinds` received in [start, end) (`start` None: any time before
    `end`), oldest first; `open_only`: those not closed or cancelled."""
    r, c, u = requests_table.c, cases_table.c, customers_table.c
    query = (
        select(r.case_id, r.kind, c.title, u.code, r.severity, c.state, r.received_at,
               r.corrective_case_id)
        .select_from(requests_table.join(cases_table, c.id == r.case_id)
                     .join(customers_table, u.id == r.customer_id))
        .where(r.kind.in_(kinds), r.received_at < end)
        .order_by(r.received_at, r.case_id).limit(limit)
    )
    if start is not None:
        query = query.where(r.received_at >= start)
    if open_only:
        query = query.where(c.state.in_(OPEN_STATES))
    return [Received(request=int(row.case_id), kind=row.kind, title=row.title,
                     customer=row.code, severity=row.severity, state=row.state,
                     received_at=row.received_at, corrective_case=row.corrective_case_id)
            for row in session.execute(query)]


def service_report(session: Session, *, month: str, now: datetime,
                   zone: ZoneInfo) -> ServiceReport:
    """The report of `month` ("YYYY-MM", not after now's month) as it stands at `now`."""
    month = months.check_not_future(month, now, zone)
    names, edges = month_edges(month, zone, TREND_MONTHS)
    start, end = edges[-2], edges[-1]
    last = len(names) - 1

    this_month = _month_clocks(session, start, end, now)
    attainment = []
    for key in SLA_KEYS:
        rows = [row for row in this_month if row["key"] == key]
        overall = _attainment(key, [(row["on_time"], row["breached"]) for row in rows])
        attainment.append(ClockAttainment(
            **vars(overall), by_tier=_by(rows, "tier"), by_severity=_by(rows, "severity"),
            by_team=_by(rows, "team"),
        ))
    clocks = _trend_clocks(session, edges, now)
    answered, missing = _satisfaction_rows(session, edges, now)
    trend = []
    for k, name in enumerate(names):
        shares = {key: _attainment(key, [clocks.get((k, key), (0, 0))]) for key in SLA_KEYS}
        feedback = _satisfaction(answered.get(k), missing.get(k, 0))
        trend.append(TrendPoint(
            month=name, csat=feedback.csat, nps=feedback.nps,
            first_response=shares["first_response"].share,
            resolution=shares["resolution"].share, answered=feedback.answered,
            clocks=sum(s.counted for s in shares.values()),
        ))
    counts = _counts(session, start, end)
    complaints = _complaints(session, start, end)
    return ServiceReport(
        month=month, timezone=zone.key, starts_at=start, ends_at=end, computed_at=now,
        received=sum(counts["kind"].values()), by_kind=counts["kind"],
        by_channel=counts["channel"], by_tier=counts["tier"], by_severity=counts["severity"],
        attainment=attainment, breaches=breaches(session, start, end, now),
        breaches_total=sum(a.breached for a in attainment),
        satisfaction=_satisfaction(answered.get(last), missing.get(last, 0)), trend=trend,
        complaints=complaints, complaints_total=sum(p.count for p in complaints),
        claims=received_of_kinds(session, ("claim",), start, end),
    )
