"""Grading a month: every supplier's measures by aggregate SQL, its score, grade and escalations.

The measures are read with one GROUP BY supplier query per source (lots, line defects, case
deadlines, reopen events), never by loading lots into Python: a month of a large site holds
a million lots, and the database sums them far faster than Python could walk them.

Re-running a month recomputes it: its scorecards are upserted (one row per supplier and
month) and the escalation rules, each recorded once per supplier, month and rule, add nothing
they already did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from capaflow.errors import BadInput
from capaflow.models import (
    Case,
    CaseEvent,
    Deadline,
    DefectEvent,
    InspectionLot,
    Scorecard,
    Supplier,
    SupplierRating,
)
from capaflow.models.db import session_scope
from capaflow.scorecards import escalation, months
from capaflow.scorecards.escalation import Fired
from capaflow.scorecards.policy import FACTORS, ScorecardPolicy

_lots: Table = InspectionLot.__table__  # type: ignore[attr-defined]
_defects: Table = DefectEvent.__table__  # type: ignore[attr-defined]
_deadlines: Table = Deadline.__table__  # type: ignore[attr-defined]
_cases: Table = Case.__table__  # type: ignore[attr-defined]
_events: Table = CaseEvent.__table__  # type: ignore[attr-defined]
_ratings: Table = SupplierRating.__table__  # type: ignore[attr-defined]
_scorecards: Table = Scorecard.__table__  # type: ignore[attr-defined]
_suppliers: Table = Supplier.__table__  # type: ignore[attr-defined]

# Incoming-inspection defects are counted through the lots (acceptance and PPM); a defect
# event the intake recorded for a rejected lot would count them twice.
LINE_SOURCES = ("line", "customer")


@dataclass(frozen=True)
class Measures:
    """What happened with one supplier in the month, as the database summed it."""

    lots: int = 0
    accepted_lots: int = 0
    sampled: int = 0
    defects_found: int = 0
    line_defects: int = 0
    deadlines_closed: int = 0
    deadlines_on_time: int = 0
    reopens: int = 0
    attitude: str | None = None
    # Lots whose delivery documents were recorded at all, and those of them recorded with one
    # missing (a document not recorded is neither: it never counts against the supplier).
    documented_lots: int = 0
    lots_missing_documents: int = 0


@dataclass(frozen=True)
class SupplierResult:
    supplier_id: int
    code: str
    month: str
    score: float
    grade: str
    previous_grade: str | None
    components: dict[str, Any]
    # The escalations this run fired; empty when they were fired before (re-run) or not due.
    escalations: tuple[Fired, ...] = field(default_factory=tuple)
    blacklisted: bool = False
    # A month not over yet is graded for a look, but provisionally: what its escalations do
    # (a blacklist, an audit, a notice) cannot be undone, so they wait for the month's end.
    provisional: bool = False


def score_measures(
    measures: Measures, policy: ScorecardPolicy
) -> tuple[float, str, dict[str, Any]]:
    """The score (0–100, one decimal), grade and each factor's measure and points."""
    share_accepted = measures.accepted_lots / measures.lots if measures.lots else None
    ppm = measures.defects_found / measures.sampled * 1e6 if measures.sampled else None
    on_time = (
        measures.deadlines_on_time / measures.deadlines_closed
        if measures.deadlines_closed else None
    )
    documents_complete = (
        (measures.documented_lots - measures.lots_missing_documents) / measures.documented_lots
        if measures.documented_lots else None
    )
    attitude = measures.attitude or policy.unrated_attitude
    values: dict[str, float | None] = {
        "acceptance": share_accepted,
        "ppm": ppm,
        "line_defects": float(measures.line_defects),
        "response_speed": on_time,
        "cooperation": None,
        "recurrence": float(measures.reopens),
        "delivery_documents": documents_complete,
    }
    details: dict[str, dict[str, Any]] = {
        "acceptance": {"lots": measures.lots, "accepted": measures.accepted_lots},
        "ppm": {"sampled": measures.sampled, "defects": measures.defects_found},
        "line_defects": {"pieces": measures.line_defects},
        "response_speed": {
            "deadlines_closed": measures.deadlines_closed,
            "on_time": measures.deadlines_on_time,
        },
        "cooperation": {"attitude": attitude, "rated": measures.attitude is not None},
        "recurrence": {"reopens": measures.reopens},
        "delivery_documents": {
            "lots_documented": measures.documented_lots,
            "lots_missing_documents": measures.lots_missing_documents,
        },
    }
    components: dict[str, Any] = {}
    weighted = 0.0
    total_weight = 0.0
    for factor in FACTORS:
        weight = policy.weights[factor]
        if factor == "cooperation":
            measure: float | str | None = attitude
            points: float | None = policy.attitude_points[attitude]
        else:
            value = values[factor]
            measure = None if value is None else round(value, 4)
            points = None if value is None else policy.scales[factor].points(value)
        if points is not None:
            weighted += weight * points
            total_weight += weight
        components[factor] = {
            "measure": measure,
            # None: no data this month; the factor is left out and the others weigh more.
            "points": None if points is None else round(points, 1),
            "weight": weight,
            **details[factor],
        }
    # The policy makes sure a factor measured every month weighs more than 0.
    score = round(weighted / total_weight, 1)
    return score, policy.grade(score), components


def _window(column: Any, start: datetime, end: datetime) -> Any:
    return and_(column >= start, column < end)


def read_measures(session: Session, month: str, start: datetime, end: datetime) -> dict[
    int, Measures
]:
    """Every supplier's measures in [start, end) that has any, by supplier id."""
    connection = session.connection()
    found: dict[int, dict[str, Any]] = {}

    def put(supplier_id: int, **values: Any) -> None:
        found.setdefault(supplier_id, {}).update(values)

    report, certificates = _lots.c.outgoing_report, _lots.c.certificates
    lot_query = (
        select(
            _lots.c.supplier_id,
            func.count(),
            func.sum(case((_lots.c.accepted, 1), else_=0)),
            func.sum(_lots.c.sample_size),
            func.sum(_lots.c.defects),
            # Delivery documents (inspection.delivery): recorded at all, and recorded missing.
            func.sum(case((or_(report.is_not(None), certificates.is_not(None)), 1), else_=0)),
            func.sum(case((or_(report.is_(False), certificates.is_(False)), 1), else_=0)),
        )
        .where(_window(_lots.c.inspected_at, start, end))
        .group_by(_lots.c.supplier_id)
    )
    for supplier_id, lots, accepted, sampled, defects, documented, missing in (
        connection.execute(lot_query)
    ):
        put(supplier_id, lots=int(lots), accepted_lots=int(accepted or 0),
            sampled=int(sampled or 0), defects_found=int(defects or 0),
            documented_lots=int(documented or 0), lots_missing_documents=int(missing or 0))

    line_query = (
        select(_defects.c.supplier_id, func.sum(_defects.c.quantity))
        .where(_window(_defects.c.occurred_at, start, end),
               _defects.c.source.in_(LINE_SOURCES))
        .group_by(_defects.c.supplier_id)
    )
    for supplier_id, pieces in connection.execute(line_query):
        put(supplier_id, line_defects=int(pieces or 0))

    # Obligations only: a review notice or the end of the effectiveness window is not
    # something the supplier answers.
    deadline_query = (
        select(
            _cases.c.supplier_id,
            func.count(),
            func.sum(case((_deadlines.c.met_on_time.is_(True), 1), else_=0)),
        )
        .select_from(_deadlines.join(_cases, _cases.c.id == _deadlines.c.case_id))
        .where(
            _cases.c.supplier_id.is_not(None),
            _deadlines.c.status == "met",
            _deadlines.c.kind == "obligation",
            # What the supplier owes: its 8D steps and its cause reports, not an audit's
            # deadlines (conducting it, closing findings), which our own people meet.
            _cases.c.lifecycle.in_(SUPPLIER_LIFECYCLES),
            _window(_deadlines.c.closed_at, start, end),
        )
        .group_by(_cases.c.supplier_id)
    )
    for supplier_id, closed, on_time in connection.execute(deadline_query):
        put(supplier_id, deadlines_closed=int(closed), deadlines_on_time=int(on_time or 0))

    reopen_query = (
        select(_cases.c.supplier_id, func.count())
        .select_from(_events.join(_cases, _cases.c.id == _events.c.case_id))
        .where(
            _cases.c.supplier_id.is_not(None),
            _events.c.action == "reopen",
            _window(_events.c.at, start, end),
        )
        .group_by(_cases.c.supplier_id)
    )
    for supplier_id, reopens in connection.execute(reopen_query):
        put(supplier_id, reopens=int(reopens))

    rating_query = select(_ratings.c.supplier_id, _ratings.c.attitude).where(
        _ratings.c.month == month
    )
    for supplier_id, attitude in connection.execute(rating_query):
        put(supplier_id, attitude=attitude)

    return {supplier_id: Measures(**values) for supplier_id, values in found.items()}


def _grades_before(session: Session, month: str, count: int) -> dict[int, dict[str, str]]:
    """The stored grades of the `count` months before `month`, by supplier and month."""
    earlier = [months.shift(month, -n) for n in range(1, count + 1)]
    query = select(_scorecards.c.supplier_id, _scorecards.c.month, _scorecards.c.grade).where(
        _scorecards.c.month.in_(earlier)
    )
    grades: dict[int, dict[str, str]] = {}
    for supplier_id, graded_month, grade in session.connection().execute(query):
        grades.setdefault(supplier_id, {})[graded_month] = grade
    return grades


def _upsert_scorecards(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_scorecards)
    statement = statement.on_conflict_do_update(
        index_elements=["supplier_id", "month"],
        set_={
            "score": statement.excluded.score,
            "grade": statement.excluded.grade,
            "components": statement.excluded.components,
            "computed_at": statement.excluded.computed_at,
        },
    )
    session.connection().execute(statement, list(rows))


SUPPLIER_LIFECYCLES = ("8d", "cause_report")


def run_month(
    session: Session, *, month: str, now: datetime, policy: ScorecardPolicy, actor: str
) -> list[SupplierResult]:
    """Grade every supplier for `month` and apply the escalation rules; results by code.

    Every supplier registered before the month ended is graded, blacklisted ones too: their
    grade is what a quality lead weighs before lifting the blacklist. `now` is when the run
    happens (the scorecards' computed_at, the cause report's due time); a month after
    `now`'s month is BadInput.
    """
    zone = policy.calendar.zone
    month = months.check_not_future(month, now, zone)
    start, end = months.bounds(month, zone)
    provisional = now < end
    measures = read_measures(session, month, start, end)
    # A supplier registered after the month is not graded for it, unless something of the
    # month is recorded against it (lots imported after registering it, say).
    suppliers = [
        row for row in session.connection().execute(
            select(_suppliers.c.id, _suppliers.c.code, _suppliers.c.blacklisted_at,
                   _suppliers.c.created_at)
            .order_by(_suppliers.c.code)
        )
        if row.created_at < end or row.id in measures
    ]
    history = _grades_before(session, month, escalation.LOOKBACK)
    nothing = Measures()
    graded: list[tuple[int, str, bool, float, str, dict[str, Any]]] = []
    rows: list[dict[str, Any]] = []
    for supplier_id, code, blacklisted_at, _ in suppliers:
        score, grade, components = score_measures(measures.get(supplier_id, nothing), policy)
        graded.append((supplier_id, code, blacklisted_at is not None, score, grade, components))
        rows.append({"supplier_id": supplier_id, "month": month, "score": score,
                     "grade": grade, "components": components, "computed_at": now})
    _upsert_scorecards(session, rows)

    results: list[SupplierResult] = []
    for supplier_id, code, blacklisted, score, grade, components in graded:
        before = history.get(supplier_id, {})
        earlier = [before.get(months.shift(month, -n)) for n in range(1, escalation.LOOKBACK + 1)]
        fired = [] if provisional else escalation.apply(
            session, supplier_id=supplier_id, code=code, month=month, score=score, grade=grade,
            earlier=earlier, blacklisted=blacklisted, now=now, policy=policy, actor=actor,
        )
        results.append(
            SupplierResult(
                supplier_id=supplier_id, code=code, month=month, score=score, grade=grade,
                previous_grade=earlier[0], components=components, escalations=tuple(fired),
                blacklisted=blacklisted or any(f.rule == escalation.GRADE_E for f in fired),
                provisional=provisional,
            )
        )
    session.flush()
    return results


def grade_month(
    engine: Engine, *, month: str, now: datetime, policy: ScorecardPolicy, actor: str
) -> list[SupplierResult]:
    """`run_month` in a transaction of its own (the flow's and the benchmark's entry point)."""
    if not isinstance(month, str):
        raise BadInput(f"month: {month!r} is not a month as YYYY-MM", field="month")
    with session_scope(engine) as session:
        return run_month(session, month=month, now=now, policy=policy, actor=actor)
