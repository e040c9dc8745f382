"""Reading the outbox and putting a failed notice back in line (`capa notify list|retry`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlmodel import Session, col
from sqlmodel import select as select_model

from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import Case, Customer, FollowUp, Notification, ServiceRequest, Supplier
from capaflow.models.db import build, fetch
from capaflow.models.queries import get_case

PENDING = "pending"
SENDING = "sending"  # claimed by a dispatcher; next_attempt_at is the end of its lease
SENT = "sent"
FAILED = "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)

_cases: Table = Case.__table__  # type: ignore[attr-defined]
_suppliers: Table = Supplier.__table__  # type: ignore[attr-defined]
_customers: Table = Customer.__table__  # type: ignore[attr-defined]
_requests: Table = ServiceRequest.__table__  # type: ignore[attr-defined]
_follow_ups: Table = FollowUp.__table__  # type: ignore[attr-defined]
# The audience role of a service request's customer (notifications.routing.CUSTOMER).
_CUSTOMER = "customer"


def supplier_id_of(notice: Notification, case: Case | None) -> int | None:
    """The supplier a notice is about: its case's, or (for a notice about the supplier itself,
    such as a grade escalation, which has no case) the one named in its `extra`."""
    if case is not None and case.supplier_id is not None:
        return case.supplier_id
    named = notice.extra.get("supplier_id")
    return named if isinstance(named, int) else None


def cases_and_suppliers(
    session: Session, notices: Sequence[Notification]
) -> tuple[dict[int, Case], dict[int, Supplier]]:
    """The cases of `notices` and their suppliers, by id: two queries for any number."""
    case_ids = {n.case_id for n in notices if n.case_id is not None}
    cases: dict[int, Case] = {}
    if case_ids:
        query = select(_cases).where(_cases.c.id.in_(case_ids))
        cases = {c.id: c for c in fetch(session, Case, query, {}) if c.id is not None}
    supplier_ids = {
        found
        for n in notices
        if (found := supplier_id_of(n, cases.get(n.case_id) if n.case_id else None)) is not None
    }
    suppliers: dict[int, Supplier] = {}
    if supplier_ids:
        query = select(_suppliers).where(_suppliers.c.id.in_(supplier_ids))
        suppliers = {s.id: s for s in fetch(session, Supplier, query, {}) if s.id is not None}
    return cases, suppliers


def customers_of(session: Session, notices: Sequence[Notification]) -> dict[int, Customer]:
    """The customer of each service request a notice for the customer is about, by case id:
    one query for any number (docs/architecture.md, "Service desk")."""
    case_ids = {n.case_id for n in notices if n.case_id is not None and _CUSTOMER in n.audience}
    if not case_ids:
        return {}
    query = (select(_requests.c.case_id, *_customers.c)
             .join(_customers, _customers.c.id == _requests.c.customer_id)
             .where(_requests.c.case_id.in_(case_ids)))
    found: dict[int, Customer] = {}
    for row in session.connection().execute(query).mappings():
        values = dict(row)
        case_id = values.pop("case_id")
        found[case_id] = build(Customer, **values)
    return found


def follow_ups_of(session: Session, notices: Sequence[Notification]) -> dict[int, FollowUp]:
    """The follow-ups survey notices name (`extra["follow_up_id"]`), by id."""
    ids = {found for n in notices
           if isinstance(found := n.extra.get("follow_up_id"), int)}
    if not ids:
        return {}
    query = select(_follow_ups).where(_follow_ups.c.id.in_(ids))
    return {f.id: f for f in fetch(session, FollowUp, query, {}) if f.id is not None}


def check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise BadInput(
            f"status: '{status}' is not a notice status ({', '.join(STATUSES)})", field="status"
        )


def list_notices(
    session: Session,
    *,
    status: str | None = None,
    case_id: int | None = None,
    limit: int = 100,
) -> list[Notification]:
    """Newest first; `status` one of STATUSES, `case_id` an existing case."""
    check_status(status)
    if limit < 1:
        raise BadInput(f"limit: must be 1 or more, got {limit}", field="limit")
    query = select_model(Notification)
    if status is not None:
        query = query.where(Notification.status == status)
    if case_id is not None:
        get_case(session, case_id)  # an unknown case is NotFound, not an empty list
        query = query.where(Notification.case_id == case_id)
    return list(session.exec(query.order_by(col(Notification.id).desc()).limit(limit)))


def retry_notice(session: Session, *, notice_id: int, now: datetime) -> Notification:
    """Put a failed notice back in line: pending, due now, attempts from zero.

    Whoever already got it (`extra["delivered"]`) is not sent it again.
    """
    notice = session.get(Notification, notice_id)
    if notice is None:
        raise NotFound(f"notice {notice_id} does not exist", field="notice")
    if notice.status != FAILED:
        raise Conflict(
            f"notice {notice_id} is {notice.status}; only a failed notice can be retried",
            field="notice",
        )
    notice.status = PENDING
    notice.attempts = 0
    notice.next_attempt_at = now
    notice.last_error = None
    session.add(notice)
    session.flush()
    return notice


_notices_table: Table = Notification.__table__  # type: ignore[attr-defined]


def count_unreached(session: Session) -> int:
    """How many notices reached nobody at a role they were meant for (Notification.unreached):
    the dashboard shows it so the quality lead completes the contacts."""
    found = session.connection().execute(
        select(func.count()).select_from(_notices_table).where(
            _notices_table.c.unreached.is_not(None))
    ).scalar_one()
    return int(found)
