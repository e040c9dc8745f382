"""Read-only look-ups the interfaces share (lists and details of cases)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.case import Case
from models.deadline import PENDING, Deadline
from models.event import CaseEvent
from models.supplier import Supplier


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
    query = select(Case)
    if state is not None:
        query = query.where(Case.state == state)
    if supplier_id is not None:
        query = query.where(Case.supplier_id == supplier_id)
    if lifecycle is not None:
        query = query.where(Case.lifecycle == lifecycle)
    if overdue:
        late = (
            select(Deadline.case_id)
            .where(Deadline.status == PENDING)
            .where(col(Deadline.due_at) < now)
            # Reviews and the window are the sweep's timers, not something the case owes.
            .where(Deadline.kind == "obligation")
        )
        query = query.where(col(Case.id).in_(late))
    return list(session.exec(query.order_by(col(Case.id)).limit(limit)))


def case_events(session: Session, case_id: int) -> list[CaseEvent]:
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.seq))
        )
    )


def case_deadlines(session: Session, case_id: int) -> list[Deadline]:
    return list(
        session.exec(
            select(Deadline)
            .where(Deadline.case_id == case_id)
            .order_by(col(Deadline.due_at), col(Deadline.id))
        )
    )


def next_due(session: Session, case_ids: list[int]) -> dict[int, Deadline]:
    """The earliest pending deadline of each case (for lists)."""
    if not case_ids:
        return {}
    earliest: dict[int, Deadline] = {}
    rows = session.exec(
        select(Deadline)
        .where(col(Deadline.case_id).in_(case_ids))
        .where(Deadline.status == PENDING)
        .order_by(col(Deadline.due_at))
    )
    for deadline in rows:
        earliest.setdefault(deadline.case_id, deadline)
    return earliest


def suppliers_by_id(session: Session, ids: set[int]) -> dict[int, Supplier]:
    if not ids:
        return {}
    rows = session.exec(select(Supplier).where(col(Supplier.id).in_(ids)))
    return {s.id: s for s in rows if s.id is not None}
