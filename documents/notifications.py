"""A notice of the outbox, as `capa notify list|retry --json`, GET /notifications and POST
/notifications/{id}/retry answer it, and as the outbox page lists it."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp
from capaflow.models import Case, Customer, Notification, Supplier
from capaflow.notifications.notices import supplier_id_of
from capaflow.notifications.routing import Resolution, Routes, resolve
from capaflow.notifications.urls import mask


class NoticePublic(Public):
    """One notice; every URL in it masked."""

    id: int
    case: int | None
    kind: str
    escalation_level: int
    status: str
    attempts: int
    # Resolved now, from today's routes and supplier register: who a (re)send reaches.
    recipients: list[str]
    unreached_roles: list[str]
    delivered_to: list[str]
    audience: list[str]
    subject: str
    created_at: Timestamp
    next_attempt_at: Timestamp | None
    sent_at: Timestamp | None
    # Stored masked and scrubbed by dispatch.
    last_error: str | None
    # Stored when it was last sent: the roles it reached nobody at (a supplier without a head
    # of quality on record); the quality lead got it in their place. Empty when all were.
    missed_roles: list[str] = []


def notice_document(notice: Notification, resolution: Resolution) -> NoticePublic:
    assert notice.id is not None  # a notice is shown once it is stored
    return NoticePublic(
        id=notice.id,
        case=notice.case_id,
        kind=notice.kind,
        escalation_level=notice.escalation_level,
        status=notice.status,
        attempts=notice.attempts,
        recipients=[mask(url) for url in resolution.urls],
        unreached_roles=resolution.unresolved,
        delivered_to=list(notice.extra.get("delivered", [])),
        audience=list(notice.audience),
        subject=notice.subject,
        created_at=notice.created_at,
        next_attempt_at=notice.next_attempt_at,
        sent_at=notice.sent_at,
        last_error=notice.last_error,
        missed_roles=notice.unreached.split(",") if notice.unreached else [],
    )


def notice_documents(
    notices: list[Notification], cases: dict[int, Case], suppliers: dict[int, Supplier],
    routes: Routes, customers: dict[int, Customer] | None = None,
) -> list[NoticePublic]:
    """Each notice with the recipients today's routes resolve it to (cases and suppliers as
    `notifications.notices.cases_and_suppliers` reads them; a service request's customer by
    case id, as `notifications.notices.customers_of` does)."""
    documents = []
    for notice in notices:
        case = cases.get(notice.case_id) if notice.case_id is not None else None
        supplier_id = supplier_id_of(notice, case)
        supplier = suppliers.get(supplier_id) if supplier_id is not None else None
        customer = (customers or {}).get(notice.case_id) if notice.case_id is not None else None
        documents.append(notice_document(notice, resolve(notice, case, supplier, routes,
                                                         customer)))
    return documents
