"""Grading a month: every supplier's measures by aggregate SQL, its score, grade and escalations.

The measures are read with one GROUP BY supplier query per source (lots, line defects, case
deadlines, reopen events), never by loading lots into Python: a month of a large site holds
a million lots, and the database sums them far faster than Python could walk them.

The case deadlines are the exception: a month holds few of them, and each one's lateness is
weighed against its own allowed time, so they are summed in Python (`deadline_credit`).

Re-running a month recomputes it: its scorecards are upserted (one row per supplier and
month) and the escalation rules, each recorded once per supplier, month and rule, add nothing
they already did.

Not graded. A month with nothing to grade (`why_not_graded`) is stored with no score and no
grade and the reason; it fires nothing, and the escalation rules look through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from capaflow.errors import BadInput
from capaflow.intake.classification import EXEMPT
from capaflow.models import (
    Case,
    CaseEvent,
    Deadline,
    DefectEvent,
    InspectionLot,
    Scorecard,
    Supplier,
    SupplierDecision,
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
_decisions: Table = SupplierDecision.__table__  # type: ignore[attr-defined]

# Line defects: every defect event (line, customer, and incoming recorded by hand or
# imported) except the one `inspect record` writes for a rejected lot, marked with its lot:
# that lot's defects count through the lot (acceptance and PPM), and would count twice.
COUNTED_DEFECT = _defects.c.inspection_lot_id.is_(None)

# Response speed. A late deadline earns at most this, less the later it is.
LATE_CREDIT = 0.5
# The shortest allowed time a lateness is measured in (a deadline due at once, say).
_LEAST_ALLOWED = timedelta(hours=1)
ON_TIME, LATE, OPEN_LATE = "on_time", "late", "open_late"


@dataclass(frozen=True)
class Measures:
    """What happened with one supplier in the month, as the database summed it."""

    lots: int = 0
    accepted_lots: int = 0
    sampled: int = 0
    defects_found: int = 0
    line_defects: int = 0
    # Response speed: the supplier's obligations due in the month (and those still owed from
    # earlier months), met on time, met late, or still owed at the month's end.
    deadlines_due: int = 0
    deadlines_on_time: int = 0
    deadlines_late: int = 0
    deadlines_open_late: int = 0
    deadlines_carried_over: int = 0
    days_late: float = 0.0
    # The sum of each deadline's credit (1 on time, less for late); the measure is its mean.
    timeliness: float = 0.0
    reopens: int = 0
    attitude: str | None = None
    # A supplier blacklisted at some moment of the month (its lots refused meanwhile).
    blacklisted: bool = False
    # Lots whose delivery documents were recorded at all, and those of them recorded with one
    # missing (a document not recorded is neither: it never counts against the supplier).
    documented_lots: int = 0
    lots_missing_documents: int = 0

    @property
    def deadlines_closed(self) -> int:
        """Of the deadlines due, those met by the month's end."""
        return self.deadlines_on_time + self.deadlines_late


@dataclass(frozen=True)
class SupplierResult:
    supplier_id: int
    code: str
    month: str
    # Both None when the month is not graded (`not_graded_reason` says why).
    score: float | None
    grade: str | None
    # The last graded month's grade before this one (months not graded looked through), and
    # that month: what the drop of two is judged against.
    previous_grade: str | None
    components: dict[str, Any]
    # The escalations this run fired; empty when they were fired before (re-run) or not due.
    escalations: tuple[Fired, ...] = field(default_factory=tuple)
    blacklisted: bool = False
    # A month not over yet is graded for a look, but provisionally: what its escalations do
    # (a blacklist, an audit, a notice) cannot be undone, so they wait for the month's end.
    provisional: bool = False
    not_graded_reason: str | None = None
    previous_month: str | None = None

    @property
    def graded(self) -> bool:
        return self.grade is not None


def score_measures(
    measures: Measures, policy: ScorecardPolicy
) -> tuple[float, str, dict[str, Any]]:
    """The score (0–100, one decimal), grade and each factor's measure and points."""
    share_accepted = measures.accepted_lots / measures.lots if measures.lots else None
    ppm = measures.defects_found / measures.sampled * 1e6 if measures.sampled else None
    on_time = (
        measures.timeliness / measures.deadlines_due if measures.deadlines_due else None
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
            "deadlines_due": measures.deadlines_due,
            "late": measures.deadlines_late,
            "open_late": measures.deadlines_open_late,
            "carried_over": measures.deadlines_carried_over,
            "days_late": round(measures.days_late, 1),
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


def why_not_graded(measures: Measures) -> str | None:
    """Why the month is not graded, or None when it is.

    Nothing to grade: no lot inspected, no defect recorded, no deadline of the supplier due
    and no reopen. Its cooperation rating alone is not enough: every other factor would earn
    full points for what did not happen (an A for an empty month). A blacklisted supplier
    with no lot accepted in the month is not graded either: its lots were refused at the door,
    and the blacklist is the verdict until a quality lead lifts it.
    """
    if measures.blacklisted and measures.accepted_lots == 0:
        return "blacklisted: no lot accepted in the month"
    if not (measures.lots or measures.line_defects or measures.deadlines_due
            or measures.reopens):
        return "nothing to grade: no lot inspected, no defect, no deadline due, no reopen"
    return None


def deadline_credit(
    *, started_at: datetime, due_at: datetime, met_at: datetime | None, cutoff: datetime
) -> tuple[str, float, timedelta]:
    """How one deadline due before `cutoff` (the month's end, or now) counts: on time, late
    or still owed (open_late), its credit, and how late it is.

    On time earns 1. Late earns LATE_CREDIT / (1 + lateness / allowed time), the allowed
    time being its span from start to due: a day late on a 24-hour containment weighs as
    much as ten days late on a 10-day countermeasure. Not met by the cutoff (met after the
    month's end included) is as late as it is at the cutoff. Every answer in the month thus
    earns more than silence over the same deadline, and nothing late earns a full point.
    """
    if met_at is not None and met_at < cutoff and met_at <= due_at:
        return ON_TIME, 1.0, timedelta(0)
    answered = met_at is not None and met_at < cutoff
    late = (met_at if answered and met_at is not None else cutoff) - due_at
    allowed = max(due_at - started_at, _LEAST_ALLOWED)
    credit = LATE_CREDIT / (1.0 + late / allowed)
    return (LATE if answered else OPEN_LATE), credit, late


def _read_response(
    session: Session, start: datetime, cutoff: datetime
) -> dict[int, dict[str, Any]]:
    """Each supplier's response-speed measures: its obligations due in [start, cutoff), and
    those due earlier and still owed at `start` (carried over: silence goes on counting).

    Obligations only (a review notice or the end of the effectiveness window is not
    something the supplier answers), of the lifecycles the supplier answers (its 8D steps
    and its cause reports; an audit's and a meeting's deadlines are our own people's). A
    cancelled deadline or a cancelled case owes nothing and does not count.
    """
    query = (
        select(_cases.c.supplier_id, _deadlines.c.started_at, _deadlines.c.due_at,
               _deadlines.c.closed_at)
        .select_from(_deadlines.join(_cases, _cases.c.id == _deadlines.c.case_id))
        .where(
            _cases.c.supplier_id.is_not(None),
            _cases.c.lifecycle.in_(SUPPLIER_LIFECYCLES),
            _cases.c.state != "cancelled",
            _deadlines.c.kind == "obligation",
            _deadlines.c.status != "cancelled",
            _deadlines.c.due_at < cutoff,
            or_(_deadlines.c.due_at >= start, _deadlines.c.closed_at.is_(None),
                _deadlines.c.closed_at >= start),
        )
    )
    found: dict[int, dict[str, Any]] = {}
    counts = {ON_TIME: "deadlines_on_time", LATE: "deadlines_late",
              OPEN_LATE: "deadlines_open_late"}
    for supplier_id, started_at, due_at, closed_at in session.connection().execute(query):
        how, credit, late = deadline_credit(started_at=started_at, due_at=due_at,
                                            met_at=closed_at, cutoff=cutoff)
        totals = found.setdefault(supplier_id, {
            "deadlines_due": 0, "deadlines_on_time": 0, "deadlines_late": 0,
            "deadlines_open_late": 0, "deadlines_carried_over": 0, "days_late": 0.0,
            "timeliness": 0.0,
        })
        totals["deadlines_due"] += 1
        totals[counts[how]] += 1
        totals["deadlines_carried_over"] += int(due_at < start)
        totals["days_late"] += late / timedelta(days=1)
        totals["timeliness"] += credit
    return found


def _blacklisted_in(session: Session, start: datetime, end: datetime) -> set[int]:
    """The suppliers blacklisted at some moment of [start, end): blacklisted in it, still
    blacklisted at its start (the decisions say), or blacklisted now since before its end."""
    connection = session.connection()
    found = {
        supplier_id for (supplier_id,) in connection.execute(
            select(_suppliers.c.id).where(_suppliers.c.blacklisted_at < end))
    }
    decisions = connection.execute(
        select(_decisions.c.supplier_id, _decisions.c.decision, _decisions.c.at)
        .where(_decisions.c.decision.in_(("blacklisted", "blacklist_lifted")),
               _decisions.c.at < end)
        .order_by(_decisions.c.supplier_id, _decisions.c.at, _decisions.c.id)
    )
    at_start: dict[int, bool] = {}
    for supplier_id, decision, at in decisions:
        if at < start:
            at_start[supplier_id] = decision == "blacklisted"
        elif decision == "blacklisted":
            found.add(supplier_id)
    return found | {supplier_id for supplier_id, listed in at_start.items() if listed}


def _window(column: Any, start: datetime, end: datetime) -> Any:
    return and_(column >= start, column < end)


def read_measures(
    session: Session, month: str, start: datetime, end: datetime,
    cutoff: datetime | None = None,
) -> dict[int, Measures]:
    """Every supplier's measures in [start, end) that has any, by supplier id. `cutoff`: the
    moment deadlines are judged at (the month's end, or now for a month not over yet)."""
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
        .where(_window(_defects.c.occurred_at, start, end), COUNTED_DEFECT)
        .group_by(_defects.c.supplier_id)
    )
    for supplier_id, pieces in connection.execute(line_query):
        put(supplier_id, line_defects=int(pieces or 0))

    for supplier_id, response in _read_response(session, start, cutoff or end).items():
        put(supplier_id, **response)

    # A reopen counts in the month it was recorded (the event's time), a late-reported
    # recurrence too: the month the defect occurred has usually been graded, and its
    # escalations fired, by the time it is known (README, "Late-reported recurrences").
    # A reopen of a case the quality lead classified one_off or unavoidable does not count:
    # the defect that reopened it says nothing about the countermeasure (README, "Batch
    # versus sporadic"). The classification is read from the case's content, here rather
    # than in SQL, where JSON differs between SQLite and PostgreSQL; reopens are few.
    reopen_query = (
        select(_cases.c.supplier_id, _cases.c.content)
        .select_from(_events.join(_cases, _cases.c.id == _events.c.case_id))
        .where(
            _cases.c.supplier_id.is_not(None),
            _events.c.action == "reopen",
            _window(_events.c.at, start, end),
        )
    )
    reopens: dict[int, int] = {}
    for supplier_id, content in connection.execute(reopen_query):
        if (content or {}).get("classification") in EXEMPT:
            continue
        reopens[supplier_id] = reopens.get(supplier_id, 0) + 1
    for supplier_id, count in reopens.items():
        put(supplier_id, reopens=count)

    rating_query = select(_ratings.c.supplier_id, _ratings.c.attitude).where(
        _ratings.c.month == month
    )
    for supplier_id, attitude in connection.execute(rating_query):
        put(supplier_id, attitude=attitude)

    for supplier_id in _blacklisted_in(session, start, end):
        put(supplier_id, blacklisted=True)

    return {supplier_id: Measures(**values) for supplier_id, values in found.items()}


def _grades_before(session: Session, month: str) -> dict[int, dict[str, str]]:
    """The stored grades of every month before `month`, by supplier and month; a month not
    graded as escalation.NOT_GRADED. All of them: a run (repeating every 3 months) and the
    months not graded that the rules look through may reach far back."""
    query = select(_scorecards.c.supplier_id, _scorecards.c.month, _scorecards.c.grade).where(
        _scorecards.c.month < month
    )
    grades: dict[int, dict[str, str]] = {}
    for supplier_id, graded_month, grade in session.connection().execute(query):
        grades.setdefault(supplier_id, {})[graded_month] = (
            grade if grade is not None else escalation.NOT_GRADED
        )
    return grades


def _earlier(month: str, stored: Mapping[str, str]) -> list[str | None]:
    """The grades of the months before `month`, newest first, up to and including the first
    month with no scorecard (None), which ends a run."""
    earlier: list[str | None] = []
    before = months.shift(month, -1)
    while before in stored:
        earlier.append(stored[before])
        before = months.shift(before, -1)
    earlier.append(None)
    return earlier


def _previous(month: str, earlier: Sequence[str | None]) -> tuple[str | None, str | None]:
    """The last graded month before `month` (months not graded looked through), its grade."""
    for n, grade in enumerate(earlier, start=1):
        if grade is None:
            break
        if grade != escalation.NOT_GRADED:
            return months.shift(month, -n), grade
    return None, None


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
            "not_graded_reason": statement.excluded.not_graded_reason,
            "components": statement.excluded.components,
            "computed_at": statement.excluded.computed_at,
        },
    )
    session.connection().execute(statement, list(rows))


# The lifecycles whose deadlines the supplier answers. Not audit nor meeting: an escalation's
# audit and meeting are our people's to organise, and their lateness is not the supplier's.
SUPPLIER_LIFECYCLES = ("8d", "cause_report")


def _scorecard(
    supplier_id: int, month: str, measures: Measures, policy: ScorecardPolicy, now: datetime
) -> dict[str, Any]:
    """The month's scorecard row: score and grade, or neither and why not."""
    score, grade, components = score_measures(measures, policy)
    reason = why_not_graded(measures)
    if reason is not None:
        # The measures stay on record (what there was); the formula's score of them does not.
        return {"supplier_id": supplier_id, "month": month, "score": None, "grade": None,
                "not_graded_reason": reason, "components": components, "computed_at": now}
    return {"supplier_id": supplier_id, "month": month, "score": score, "grade": grade,
            "not_graded_reason": None, "components": components, "computed_at": now}


def run_month(
    session: Session, *, month: str, now: datetime, policy: ScorecardPolicy, actor: str
) -> list[SupplierResult]:
    """Grade every supplier for `month` and apply the escalation rules; results by code.

    Every supplier registered before the month ended is graded, blacklisted ones too when
    they had a lot accepted in the month; a month with nothing to grade is stored as not
    graded (`why_not_graded`) and fires nothing. `now` is when the run happens (the
    scorecards' computed_at, the cause report's due time); a month after `now`'s month is
    BadInput.
    """
    zone = policy.calendar.zone
    month = months.check_not_future(month, now, zone)
    start, end = months.bounds(month, zone)
    provisional = now < end
    measures = read_measures(session, month, start, end, cutoff=min(now, end))
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
    history = _grades_before(session, month)
    nothing = Measures()
    rows = [_scorecard(supplier_id, month, measures.get(supplier_id, nothing), policy, now)
            for supplier_id, *_ in suppliers]
    _upsert_scorecards(session, rows)

    results: list[SupplierResult] = []
    for (supplier_id, code, blacklisted_at, _), row in zip(suppliers, rows, strict=True):
        earlier = _earlier(month, history.get(supplier_id, {}))
        previous_month, previous_grade = _previous(month, earlier)
        blacklisted = blacklisted_at is not None
        fired = [] if provisional or row["grade"] is None else escalation.apply(
            session, supplier_id=supplier_id, code=code, month=month, score=row["score"],
            grade=row["grade"], earlier=earlier, blacklisted=blacklisted, now=now,
            policy=policy, actor=actor,
        )
        results.append(
            SupplierResult(
                supplier_id=supplier_id, code=code, month=month, score=row["score"],
                grade=row["grade"], previous_grade=previous_grade,
                components=row["components"], escalations=tuple(fired),
                blacklisted=blacklisted or any(f.rule == escalation.GRADE_E for f in fired),
                provisional=provisional, not_graded_reason=row["not_graded_reason"],
                previous_month=previous_month,
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
