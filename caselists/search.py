"""The case list: the cases matching a CaseFilter, sorted and cut into pages, each with its
supplier, the next thing it owes and whether a supplier's submission waits for review.

One statement for a page whatever its size (the total rides along as a window count, as the
dashboard's lists do, models.queries), plus one for the page's next deadlines. Every value is
a bound parameter; a search string is matched with LIKE, its % and _ escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from capaflow.calendars import as_utc
from capaflow.caselists.filters import PAGE_SIZE, CaseFilter
from capaflow.deadlines.policy import SEVERITIES
from capaflow.errors import NotFound
from capaflow.models import Case, Deadline, Submission, Supplier
from capaflow.models.db import build, fetch
from capaflow.models.deadline import PENDING
from capaflow.statemachines import LIFECYCLES

_CASES = Case.__table__  # type: ignore[attr-defined]
_DEADLINES = Deadline.__table__  # type: ignore[attr-defined]
_SUPPLIERS = Supplier.__table__  # type: ignore[attr-defined]
_SUBMISSIONS = Submission.__table__  # type: ignore[attr-defined]
_TOTAL = "_total"

# What a case owes: reviews and the effectiveness window are the sweep's timers, not work
# (the dashboard's "late" and "due this week" read the same rows, models.queries).
_OWING = (
    select(_DEADLINES.c.case_id, func.min(_DEADLINES.c.due_at).label("next_due"))
    .where(_DEADLINES.c.status == PENDING)
    .where(_DEADLINES.c.kind == "obligation")
    .group_by(_DEADLINES.c.case_id)
    .subquery("owing")
)
_WAITING = (
    select(_SUBMISSIONS.c.case_id, func.count().label("waiting"))
    .where(_SUBMISSIONS.c.status == "pending")
    .group_by(_SUBMISSIONS.c.case_id)
    .subquery("waiting")
)


@dataclass(frozen=True)
class CaseRow:
    case: Case
    supplier_code: str | None
    supplier_name: str | None
    next_due: datetime | None  # the earliest thing owed (an obligation)
    next_title: str | None  # what that is ("D4 root cause")
    overdue: bool
    submissions_waiting: int


@dataclass(frozen=True)
class CasePage:
    filter: CaseFilter
    rows: list[CaseRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max((self.total + self.page_size - 1) // self.page_size, 1)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _state_order() -> ColumnElement[Any]:
    """States in their lifecycle's order (containment before root cause), not alphabetical."""
    whens = []
    for position, (name, machine) in enumerate(LIFECYCLES.items()):
        for index, state in enumerate(machine.states):
            whens.append((and_(_CASES.c.lifecycle == name, _CASES.c.state == state),
                          position * 100 + index))
    return case(*whens, else_=10_000)


def _severity_order() -> ColumnElement[Any]:
    return case(*[(_CASES.c.severity == s, i) for i, s in enumerate(SEVERITIES)], else_=-1)


def _like(column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


def _search(text: str) -> ColumnElement[bool]:
    """Title, problem description (D2), part, defect code, owner, or the case number."""
    problem = _CASES.c.content["problem"].as_string()
    matches = [
        _like(_CASES.c.title, text), _like(func.coalesce(problem, ""), text),
        _like(func.coalesce(_CASES.c.part, ""), text),
        _like(func.coalesce(_CASES.c.defect_code, ""), text),
        _like(func.coalesce(_CASES.c.owner, ""), text),
    ]
    number = text.lstrip("#").strip()
    if number.isdigit() and len(number) <= 9:
        matches.append(_CASES.c.id == int(number))
    return or_(*matches)


def _conditions(found: CaseFilter, *, now: datetime, user: str | None,
                supplier_id: int | None) -> list[ColumnElement[bool]]:
    where = _status(found.status)
    equal = {
        _CASES.c.lifecycle: found.lifecycle, _CASES.c.state: found.state,
        _CASES.c.supplier_id: supplier_id, _CASES.c.severity: found.severity,
    }
    where += [column == value for column, value in equal.items() if value is not None]
    # Owner, part and defect code as typed by people: any case of letters.
    alike = {_CASES.c.owner: found.owner, _CASES.c.part: found.part,
             _CASES.c.defect_code: found.defect}
    where += [func.lower(column) == value.lower() for column, value in alike.items()
              if value is not None]
    if found.mine:
        # Nobody's work when the asker has no name (a supplier's link, say).
        where.append(_CASES.c.owner == (user or ""))
    if found.reopened:
        where.append(_CASES.c.reopen_count > 0)
    if found.text is not None:
        where.append(_search(found.text))
    return where + _times(found, now)


def _status(status: str) -> list[ColumnElement[bool]]:
    # Closed and cancelled cases carry closed_at (models.queries reads open cases the same way).
    if status == "open":
        return [_CASES.c.closed_at.is_(None)]
    if status == "closed":
        return [_CASES.c.closed_at.is_not(None)]
    return []


def _times(found: CaseFilter, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if found.opened_from is not None:
        where.append(_CASES.c.opened_at >= _day_start(found.opened_from))
    if found.opened_to is not None:
        where.append(_CASES.c.opened_at < _day_start(found.opened_to) + timedelta(days=1))
    if found.overdue:
        where.append(_OWING.c.next_due < now)
    if found.due_days is not None:
        # As the dashboard's "due this week": nothing late, the next thing owed in the window.
        where.append(_OWING.c.next_due >= now)
        where.append(_OWING.c.next_due < now + timedelta(days=found.due_days))
    return where


def _day_start(day: date) -> datetime:
    # Days are cut in UTC, as the instants are stored (docs/architecture.md, "Time is an
    # argument").
    return datetime.combine(day, time.min, tzinfo=UTC)


def _order(found: CaseFilter) -> list[Any]:
    key = {
        "opened": _CASES.c.opened_at,
        "due": _OWING.c.next_due,
        "state": _state_order(),
        "supplier": _SUPPLIERS.c.code,
        "severity": _severity_order(),
        "number": _CASES.c.id,
    }[found.sort_key]
    # Cases without a due time or supplier come last either way.
    missing = case((key.is_(None), 1), else_=0)
    ordered = key.desc() if found.descending else key.asc()
    tie = _CASES.c.id.desc() if found.descending else _CASES.c.id.asc()
    return [missing, ordered, tie]


def supplier_id_of(session: Session, code: str) -> int:
    found = session.connection().execute(
        select(_SUPPLIERS.c.id).where(_SUPPLIERS.c.code == code)).scalar()
    if found is None:
        raise NotFound(f"supplier: no supplier with code '{code}'", field="supplier")
    return int(found)


def find_cases(
    session: Session,
    *,
    filter: CaseFilter,
    now: datetime,
    user: str | None = None,
    page_size: int = PAGE_SIZE,
) -> CasePage:
    """A page of the cases matching `filter` (NotFound for an unknown supplier code); `user`
    is whose work "mine" means."""
    supplier_id = supplier_id_of(session, filter.supplier) if filter.supplier else None
    statement = (
        select(_CASES, _SUPPLIERS.c.code.label("_supplier_code"),
               _SUPPLIERS.c.name.label("_supplier_name"),
               _OWING.c.next_due.label("_next_due"),
               func.coalesce(_WAITING.c.waiting, 0).label("_waiting"),
               func.count().over().label(_TOTAL))
        .select_from(
            _CASES.outerjoin(_SUPPLIERS, _SUPPLIERS.c.id == _CASES.c.supplier_id)
            .outerjoin(_OWING, _OWING.c.case_id == _CASES.c.id)
            .outerjoin(_WAITING, _WAITING.c.case_id == _CASES.c.id)
        )
        .where(*_conditions(filter, now=now, user=user, supplier_id=supplier_id))
        .order_by(*_order(filter))
        .limit(page_size)
        .offset((filter.page - 1) * page_size)
    )
    total = 0
    found: list[tuple[Case, dict[str, Any]]] = []
    for row in session.connection().execute(statement).mappings():
        values = dict(row)
        total = int(values.pop(_TOTAL))
        extra = {k: values.pop(k) for k in list(values) if k.startswith("_")}
        found.append((build(Case, **values), extra))
    if not found and filter.page > 1:
        # Past the last page (a bookmark of a list that shrank): count what there is.
        total = int(session.connection().execute(
            select(func.count()).select_from(statement.limit(None).offset(None).subquery())
        ).scalar() or 0)
    nexts = read_next_obligations(session, [c.id for c, _ in found if c.id is not None])
    rows = []
    for item, extra in found:
        due = extra["_next_due"]
        nxt = nexts.get(item.id or 0)
        rows.append(CaseRow(
            case=item, supplier_code=extra["_supplier_code"],
            supplier_name=extra["_supplier_name"],
            next_due=as_utc(due) if due is not None else None,
            next_title=nxt.title if nxt is not None else None,
            overdue=due is not None and as_utc(due) < now,
            submissions_waiting=int(extra["_waiting"]),
        ))
    return CasePage(filter=filter, rows=rows, total=total, page=filter.page,
                    page_size=page_size)


_OBLIGATIONS = (
    select(_DEADLINES)
    .where(_DEADLINES.c.case_id.in_(bindparam("case_ids", expanding=True)))
    .where(_DEADLINES.c.status == PENDING)
    .where(_DEADLINES.c.kind == "obligation")
    .order_by(_DEADLINES.c.due_at, _DEADLINES.c.id)
)


def read_next_obligations(session: Session, case_ids: list[int]) -> dict[int, Deadline]:
    """The earliest pending obligation of each case (the list's "next due")."""
    earliest: dict[int, Deadline] = {}
    if case_ids:
        for deadline in fetch(session, Deadline, _OBLIGATIONS, {"case_ids": case_ids}):
            earliest.setdefault(deadline.case_id, deadline)
    return earliest
