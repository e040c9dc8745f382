"""Read-only look-ups the interfaces share (lists and details of cases).

A look-up may come twice, from the same statement: the ORM function returns objects of the
caller's session; its `read_*` twin returns detached objects built from Core rows
(`models.db.fetch`), for read-only callers on a hot path. fetch costs about a third of the
ORM for a single row, but more than the ORM's loading for a page of 50 (bench/api_load.py),
so the API shows a case through `read_*` and lists through the ORM. Filters are bound
parameters of statements built once per shape, so SQLAlchemy compiles each shape once and
the rules (what "overdue" means, which deadline is next) are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import CompoundSelect, Integer, Select, bindparam, func, literal, union_all
from sqlalchemy import select as core_select
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from capaflow.errors import case_not_found, check_id
from capaflow.models.case import Case
from capaflow.models.db import build, fetch
from capaflow.models.deadline import PENDING, Deadline
from capaflow.models.event import CaseEvent
from capaflow.models.inspection import InspectionHold
from capaflow.models.inspection_lot import InspectionLot, SwitchingState
from capaflow.models.notification import Notification
from capaflow.models.scorecard import Scorecard
from capaflow.models.supplier import Supplier, SupplierDecision
from capaflow.models.types import UTCDateTime

_CASES = Case.__table__  # type: ignore[attr-defined]
_DEADLINES = Deadline.__table__  # type: ignore[attr-defined]
_EVENTS = CaseEvent.__table__  # type: ignore[attr-defined]
_SUPPLIERS = Supplier.__table__  # type: ignore[attr-defined]


@lru_cache(maxsize=16)
def _orm_cases(state: bool, supplier: bool, lifecycle: bool, overdue: bool
               ) -> SelectOfScalar[Case]:
    """The statement of list_cases for the filters given (its shape); values are bound."""
    query = select(Case)
    if state:
        query = query.where(col(Case.state) == bindparam("state"))
    if supplier:
        query = query.where(col(Case.supplier_id) == bindparam("supplier_id"))
    if lifecycle:
        query = query.where(col(Case.lifecycle) == bindparam("lifecycle"))
    if overdue:
        late = (
            select(Deadline.case_id)
            .where(Deadline.status == PENDING)
            .where(col(Deadline.due_at) < bindparam("now"))
            # Reviews and the window are the sweep's timers, not something the case owes.
            .where(Deadline.kind == "obligation")
        )
        query = query.where(col(Case.id).in_(late))
    return query.order_by(col(Case.id)).limit(bindparam("limit", type_=Integer))


def _case_params(
    *, now: datetime, state: str | None, supplier_id: int | None, lifecycle: str | None,
    overdue: bool, limit: int,
) -> tuple[tuple[bool, bool, bool, bool], dict[str, Any]]:
    """Which filters apply (the statement's shape) and their values."""
    params: dict[str, Any] = {"limit": limit}
    if state is not None:
        params["state"] = state
    if supplier_id is not None:
        params["supplier_id"] = supplier_id
    if lifecycle is not None:
        params["lifecycle"] = lifecycle
    if overdue:
        params["now"] = now
    shape = (state is not None, supplier_id is not None, lifecycle is not None, overdue)
    return shape, params


def list_cases(
    session: Session,
    *,
    now: datetime,
    state: str | None = None,
    supplier_id: int | None = None,
    lifecycle: str | None = None,
    overdue: bool = False,
    limit: int = 500,
) -> list[Case]:
    shape, params = _case_params(now=now, state=state, supplier_id=supplier_id,
                                 lifecycle=lifecycle, overdue=overdue, limit=limit)
    return list(session.exec(_orm_cases(*shape), params=params))


def get_case(session: Session, case_id: int) -> Case:
    """One case by its number, in the caller's session; NotFound (exit 3) if there is none,
    BadInput (exit 2) for a number no case can have."""
    case = session.get(Case, check_id("case", case_id))
    if case is None:
        raise case_not_found(case_id)
    return case


_CASE = select(_CASES).where(_CASES.c.id == bindparam("case_id"))


def read_case(session: Session, case_id: int) -> Case | None:
    """One case by its number, as a detached object; None if there is none."""
    found = fetch(session, Case, _CASE, {"case_id": case_id})
    return found[0] if found else None


_ORM_EVENTS = select(CaseEvent).where(col(CaseEvent.case_id) == bindparam("case_id")).order_by(
    col(CaseEvent.seq))
_EVENT_ROWS = select(_EVENTS).where(_EVENTS.c.case_id == bindparam("case_id")).order_by(
    _EVENTS.c.seq)


def case_events(session: Session, case_id: int) -> list[CaseEvent]:
    return list(session.exec(_ORM_EVENTS, params={"case_id": case_id}))


def read_case_events(session: Session, case_id: int) -> list[CaseEvent]:
    """`case_events`, as detached objects."""
    return fetch(session, CaseEvent, _EVENT_ROWS, {"case_id": case_id})


_ORM_DEADLINES = (
    select(Deadline).where(col(Deadline.case_id) == bindparam("case_id"))
    .order_by(col(Deadline.due_at), col(Deadline.id))
)
_DEADLINE_ROWS = (
    select(_DEADLINES).where(_DEADLINES.c.case_id == bindparam("case_id"))
    .order_by(_DEADLINES.c.due_at, _DEADLINES.c.id)
)


def case_deadlines(session: Session, case_id: int) -> list[Deadline]:
    return list(session.exec(_ORM_DEADLINES, params={"case_id": case_id}))


def read_case_deadlines(session: Session, case_id: int) -> list[Deadline]:
    """`case_deadlines`, as detached objects."""
    return fetch(session, Deadline, _DEADLINE_ROWS, {"case_id": case_id})


_ORM_PENDING = (
    select(Deadline).where(col(Deadline.case_id).in_(bindparam("case_ids", expanding=True)))
    .where(Deadline.status == PENDING).order_by(col(Deadline.due_at))
)
_PENDING_ROWS = (
    select(_DEADLINES).where(_DEADLINES.c.case_id.in_(bindparam("case_ids", expanding=True)))
    .where(_DEADLINES.c.status == PENDING).order_by(_DEADLINES.c.due_at)
)


def _earliest(deadlines: list[Deadline]) -> dict[int, Deadline]:
    earliest: dict[int, Deadline] = {}
    for deadline in deadlines:  # ordered by due time: the first of each case is its next
        earliest.setdefault(deadline.case_id, deadline)
    return earliest


def next_due(session: Session, case_ids: list[int]) -> dict[int, Deadline]:
    """The earliest pending deadline of each case (for lists)."""
    if not case_ids:
        return {}
    return _earliest(list(session.exec(_ORM_PENDING, params={"case_ids": case_ids})))


def read_next_due(session: Session, case_ids: list[int]) -> dict[int, Deadline]:
    """`next_due`, as detached objects."""
    if not case_ids:
        return {}
    return _earliest(fetch(session, Deadline, _PENDING_ROWS, {"case_ids": case_ids}))


_ORM_SUPPLIERS = select(Supplier).where(col(Supplier.id).in_(bindparam("ids", expanding=True)))
_SUPPLIER_ROWS = select(_SUPPLIERS).where(_SUPPLIERS.c.id.in_(bindparam("ids", expanding=True)))


def suppliers_by_id(session: Session, ids: set[int]) -> dict[int, Supplier]:
    if not ids:
        return {}
    rows = session.exec(_ORM_SUPPLIERS, params={"ids": list(ids)})
    return {s.id: s for s in rows if s.id is not None}


def read_suppliers(session: Session, ids: set[int]) -> dict[int, Supplier]:
    """`suppliers_by_id`, as detached objects."""
    if not ids:
        return {}
    rows = fetch(session, Supplier, _SUPPLIER_ROWS, {"ids": list(ids)})
    return {s.id: s for s in rows if s.id is not None}


_SUPPLIER = select(_SUPPLIERS).where(_SUPPLIERS.c.id == bindparam("supplier_id"))


def read_supplier(session: Session, supplier_id: int) -> Supplier | None:
    """One supplier by id, as a detached object (without the IN list of read_suppliers,
    whose statement is rendered anew for every call)."""
    found = fetch(session, Supplier, _SUPPLIER, {"supplier_id": supplier_id})
    return found[0] if found else None


# --- Overviews for the web pages (dashboard, suppliers, PDCA board, outbox) ---------------------
# Each page costs a fixed number of statements however many cases there are: counts come from
# GROUP BY, lists are bounded, and a list's total rides along as a window count (one scan, not
# a second query).

_SCORECARDS = Scorecard.__table__  # type: ignore[attr-defined]
_LOTS = InspectionLot.__table__  # type: ignore[attr-defined]
_SWITCHING = SwitchingState.__table__  # type: ignore[attr-defined]
_HOLDS = InspectionHold.__table__  # type: ignore[attr-defined]
_DECISIONS = SupplierDecision.__table__  # type: ignore[attr-defined]
_NOTICES = Notification.__table__  # type: ignore[attr-defined]
_OPEN_CASE = _CASES.c.closed_at.is_(None)  # closed or cancelled cases carry closed_at
# What a case owes: reviews and the effectiveness window are the sweep's timers (as above).
_OWED = (_DEADLINES.c.status == PENDING) & (_DEADLINES.c.kind == "obligation")
_TOTAL = "_total"

_Row = TypeVar("_Row", bound=SQLModel)


def _rows_and_total(
    session: Session, model: type[_Row], statement: Select[Any], params: dict[str, Any]
) -> tuple[list[_Row], int]:
    """`fetch` for a statement carrying a `_total` window count: the objects and the total."""
    total = 0
    found: list[_Row] = []
    for row in session.connection().execute(statement, params).mappings():
        values = dict(row)
        total = int(values.pop(_TOTAL))
        found.append(build(model, **values))
    return found, total


_REOPENED = (_CASES.c.reopen_count > 0).label("reopened")
_OPEN_COUNTS = (
    core_select(_CASES.c.lifecycle, _CASES.c.state, _CASES.c.severity, _REOPENED,
                func.count().label("cases"))
    .where(_OPEN_CASE)
    .group_by(_CASES.c.lifecycle, _CASES.c.state, _CASES.c.severity, _REOPENED)
)


def open_case_counts(session: Session) -> list[tuple[str, str, str, bool, int]]:
    """The open cases counted by (lifecycle, state, severity, reopened at least once)."""
    return [
        (row.lifecycle, row.state, row.severity, bool(row.reopened), int(row.cases))
        for row in session.connection().execute(_OPEN_COUNTS)
    ]


@dataclass(frozen=True)
class OwedCase:
    case: Case
    # Its pending obligations in the list's window, earliest first (never empty): those
    # already late for a late case, those due before `until` for a case due soon.
    owed: list[Deadline]


@dataclass(frozen=True)
class OwedCases:
    late: list[OwedCase]
    late_total: int
    due_soon: list[OwedCase]
    due_soon_total: int


def _owed_statement() -> CompoundSelect[Any]:
    # One pass over the owed deadlines due before `until` gives each case's first one (a CTE
    # read twice, so both databases compute it once); that decides its list, late if before
    # `now`. Each list is cut and counted on its own: a window rank over both lists instead
    # sorts every case and took twice as long at 100,000 late cases.
    owing = (
        core_select(_DEADLINES.c.case_id, func.min(_DEADLINES.c.due_at).label("first_due"))
        .where(_OWED)
        .where(_DEADLINES.c.due_at < bindparam("until", type_=UTCDateTime()))
        .group_by(_DEADLINES.c.case_id)
        .cte("owing")
    )
    now = bindparam("now", type_=UTCDateTime())
    lists = []
    for late, which in ((True, owing.c.first_due < now), (False, owing.c.first_due >= now)):
        cut = (
            core_select(owing.c.case_id, literal(late).label("late"),
                        func.count().over().label(_TOTAL))
            .where(which)
            .order_by(owing.c.first_due, owing.c.case_id)
            .limit(bindparam("limit", type_=Integer))
            .subquery()
        )
        lists.append(core_select(cut))
    return union_all(*lists)


_OWED_CASES = _owed_statement()
_OWED_DEADLINES = (
    core_select(_DEADLINES)
    .where(_DEADLINES.c.case_id.in_(bindparam("case_ids", expanding=True)))
    .where(_OWED)
    .where(_DEADLINES.c.due_at < bindparam("until", type_=UTCDateTime()))
    .order_by(_DEADLINES.c.due_at, _DEADLINES.c.id)
)
_CASES_BY_ID = core_select(_CASES).where(_CASES.c.id.in_(bindparam("case_ids", expanding=True)))


def read_owed_cases(
    session: Session, *, now: datetime, until: datetime, limit: int = 200
) -> OwedCases:
    """The cases that owe something already late, and those whose next owed deadline falls
    in [now, until): each list oldest due first, at most `limit` (1 or more), with how many
    there are in all. A case with anything late is only in the late list. Three statements
    whatever the number of cases."""
    found = session.connection().execute(
        _OWED_CASES, {"now": now, "until": until, "limit": limit}).all()
    if not found:
        return OwedCases([], 0, [], 0)
    ids = [row.case_id for row in found]
    cases = {c.id: c for c in fetch(session, Case, _CASES_BY_ID, {"case_ids": ids})}
    owed: dict[int, list[Deadline]] = {}
    for deadline in fetch(session, Deadline, _OWED_DEADLINES, {"case_ids": ids, "until": until}):
        owed.setdefault(deadline.case_id, []).append(deadline)
    lists: dict[bool, list[OwedCase]] = {True: [], False: []}
    totals = {True: 0, False: 0}
    for row in found:
        late = bool(row.late)
        totals[late] = int(row._mapping[_TOTAL])
        window = [d for d in owed.get(row.case_id, []) if not late or d.due_at < now]
        if row.case_id in cases and window:
            lists[late].append(OwedCase(cases[row.case_id], window))
    for listed in lists.values():
        # A UNION keeps no order: oldest due first again (the first owed is the earliest).
        listed.sort(key=lambda item: (item.owed[0].due_at, item.case.id or 0))
    return OwedCases(lists[True], totals[True], lists[False], totals[False])


@lru_cache(maxsize=8)
def _open_cases_statement(supplier: bool, lifecycle: bool, state: bool) -> Select[Any]:
    query = core_select(_CASES, func.count().over().label(_TOTAL)).where(_OPEN_CASE)
    if supplier:
        query = query.where(_CASES.c.supplier_id == bindparam("supplier_id"))
    if lifecycle:
        query = query.where(_CASES.c.lifecycle == bindparam("lifecycle"))
    if state:
        query = query.where(_CASES.c.state == bindparam("state"))
    return query.order_by(_CASES.c.id).limit(bindparam("limit", type_=Integer))


def read_open_cases(
    session: Session,
    *,
    supplier_id: int | None = None,
    lifecycle: str | None = None,
    state: str | None = None,
    limit: int = 200,
) -> tuple[list[Case], int]:
    """Open cases (not closed or cancelled), oldest first, at most `limit` (1 or more: the
    total comes with the rows), and how many there are in all."""
    params: dict[str, Any] = {"limit": limit}
    for name, value in (("supplier_id", supplier_id), ("lifecycle", lifecycle),
                        ("state", state)):
        if value is not None:
            params[name] = value
    statement = _open_cases_statement(supplier_id is not None, lifecycle is not None,
                                      state is not None)
    return _rows_and_total(session, Case, statement, params)


_RECENTLY_CLOSED = (
    core_select(_CASES, func.count().over().label(_TOTAL))
    .where(_CASES.c.lifecycle == bindparam("lifecycle"))
    .where(_CASES.c.closed_at >= bindparam("since", type_=UTCDateTime()))
    .order_by(_CASES.c.closed_at.desc(), _CASES.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


def read_closed_cases(
    session: Session, *, lifecycle: str, since: datetime, limit: int = 200
) -> tuple[list[Case], int]:
    """Cases of `lifecycle` closed or cancelled since `since`, newest first (at most
    `limit`, 1 or more), and how many there are in all."""
    return _rows_and_total(session, Case, _RECENTLY_CLOSED,
                           {"lifecycle": lifecycle, "since": since, "limit": limit})


@dataclass(frozen=True)
class SupplierStanding:
    supplier: Supplier
    # The latest graded month up to the month asked for; None before the first grade.
    month: str | None
    score: float | None
    grade: str | None
    open_cases: int


def read_supplier_standings(session: Session, *, up_to_month: str) -> list[SupplierStanding]:
    """Every supplier by code, with its latest grade up to `up_to_month` (YYYY-MM) and its
    number of open cases: two GROUP BYs joined to the register, one statement."""
    latest = (
        core_select(_SCORECARDS.c.supplier_id, func.max(_SCORECARDS.c.month).label("month"))
        # A month not graded (nothing to grade) has no grade to show: the one before it stands.
        .where(_SCORECARDS.c.month <= up_to_month, _SCORECARDS.c.grade.is_not(None))
        .group_by(_SCORECARDS.c.supplier_id)
        .subquery()
    )
    # Grouped by an expression, not the bare column: SQLite would otherwise walk the supplier
    # index and fetch each case from it in supplier order, one random read per case (4-5x
    # slower than one scan of the table at 100,000 cases). Cases without a supplier land in 0,
    # which no supplier has.
    by_supplier = func.coalesce(_CASES.c.supplier_id, 0)
    open_cases = (
        core_select(by_supplier.label("supplier_id"), func.count().label("cases"))
        .where(_OPEN_CASE)
        .group_by(by_supplier)
        .subquery()
    )
    query = (
        core_select(_SUPPLIERS, latest.c.month.label("_month"),
                    _SCORECARDS.c.score.label("_score"), _SCORECARDS.c.grade.label("_grade"),
                    open_cases.c.cases.label("_open"))
        .outerjoin(latest, latest.c.supplier_id == _SUPPLIERS.c.id)
        .outerjoin(_SCORECARDS, (_SCORECARDS.c.supplier_id == latest.c.supplier_id)
                   & (_SCORECARDS.c.month == latest.c.month))
        .outerjoin(open_cases, open_cases.c.supplier_id == _SUPPLIERS.c.id)
        .order_by(_SUPPLIERS.c.code)
    )
    standings = []
    for row in session.connection().execute(query).mappings():
        values = dict(row)
        month, score, grade, cases = (values.pop(k) for k in ("_month", "_score", "_grade",
                                                                "_open"))
        standings.append(SupplierStanding(
            supplier=build(Supplier, **values), month=month,
            score=float(score) if score is not None else None, grade=grade,
            open_cases=int(cases or 0),
        ))
    return standings


_RECENT_LOTS = (
    core_select(_LOTS).where(_LOTS.c.supplier_id == bindparam("supplier_id"))
    .order_by(_LOTS.c.inspected_at.desc(), _LOTS.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


def read_recent_lots(session: Session, supplier_id: int, *, limit: int = 20) -> list[InspectionLot]:
    """The supplier's lots inspected last, newest first."""
    return fetch(session, InspectionLot, _RECENT_LOTS,
                 {"supplier_id": supplier_id, "limit": limit})


_SWITCHING_ROWS = (
    core_select(_SWITCHING).where(_SWITCHING.c.supplier_id == bindparam("supplier_id"))
    .order_by(_SWITCHING.c.part)
)


def read_switching_states(session: Session, supplier_id: int) -> list[SwitchingState]:
    """Where each of the supplier's parts stands in ISO 2859-1 switching, by part."""
    return fetch(session, SwitchingState, _SWITCHING_ROWS, {"supplier_id": supplier_id})


_OPEN_HOLDS = (
    core_select(_HOLDS).where(_HOLDS.c.supplier_id == bindparam("supplier_id"))
    .where(_HOLDS.c.released_at.is_(None)).where(_HOLDS.c.lots_remaining > 0)
    .order_by(_HOLDS.c.created_at, _HOLDS.c.id)
)


def read_open_holds(session: Session, supplier_id: int) -> dict[str, InspectionHold]:
    """The 100 % inspection hold in force on each of the supplier's parts (the newest, as
    `intake.holds.open_hold` picks it), by part."""
    holds: dict[str, InspectionHold] = {}
    for hold in fetch(session, InspectionHold, _OPEN_HOLDS, {"supplier_id": supplier_id}):
        holds[hold.part] = hold  # oldest first: the newest of a part is kept
    return holds


_DECISION_ROWS = (
    core_select(_DECISIONS).where(_DECISIONS.c.supplier_id == bindparam("supplier_id"))
    .order_by(_DECISIONS.c.at.desc(), _DECISIONS.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


def read_supplier_decisions(
    session: Session, supplier_id: int, *, limit: int = 10
) -> list[SupplierDecision]:
    """The supplier's recorded decisions (blacklisted, lifted), newest first."""
    return fetch(session, SupplierDecision, _DECISION_ROWS,
                 {"supplier_id": supplier_id, "limit": limit})


_NOTICE_COUNTS = core_select(_NOTICES.c.status, func.count().label("notices")).group_by(
    _NOTICES.c.status)
_NOTICES_BESIDES = (
    core_select(_NOTICES).where(_NOTICES.c.status != bindparam("status"))
    .order_by(_NOTICES.c.id.desc()).limit(bindparam("limit", type_=Integer))
)


def notice_counts(session: Session) -> dict[str, int]:
    """How many notices the outbox holds in each status."""
    return {row.status: int(row.notices)
            for row in session.connection().execute(_NOTICE_COUNTS)}


def read_notices_besides(session: Session, *, status: str, limit: int) -> list[Notification]:
    """Notices in any status but `status`, newest first (`list_notices` filters on one)."""
    return fetch(session, Notification, _NOTICES_BESIDES, {"status": status, "limit": limit})
