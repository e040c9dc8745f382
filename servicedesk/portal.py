"""What a customer sees and does through their signed link (docs/architecture.md, "Service
desk"): their own requests, and opening a new one from the portal.

A customer sees only their own requests: another customer's request answers exactly as one
that does not exist, so a guessed number tells nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import NotFound
from capaflow.models import Case, Customer, ServiceRequest
from capaflow.models.queries import get_case
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.requests import RequestStep, list_requests, open_request

PORTAL_CHANNEL = "portal"


def customer_actor(customer: Customer) -> str:
    """Who the audit trail names for what a customer did through their link."""
    return f"customer:{customer.code}"


def customer_requests(session: Session, customer: Customer) -> list[tuple[Case, ServiceRequest]]:
    """The customer's requests, newest first."""
    return list_requests(session, customer=customer.code)


def customer_request(
    session: Session, customer: Customer, case_id: int
) -> tuple[Case, ServiceRequest]:
    """One of the customer's requests; NotFound for any other number, theirs or nobody's."""
    request = session.get(ServiceRequest, case_id)
    if request is None or request.customer_id != customer.id:
        raise NotFound(f"service request {case_id} does not exist", field="request")
    return get_case(session, case_id), request


def open_customer_request(
    session: Session,
    *,
    desk: ServiceDesk,
    policy: DeadlinePolicy,
    customer: Customer,
    kind: str,
    severity: str,
    category: str,
    title: str,
    description: str | None,
    now: datetime,
) -> RequestStep:
    """A request the customer opens from the portal: taken in and dispatched as any other
    (servicedesk.requests.open_request), channel "portal", the customer named as its actor."""
    return open_request(
        session, desk=desk, policy=policy, customer=customer.code, kind=kind,
        severity=severity, category=category, channel=PORTAL_CHANNEL, title=title,
        description=description, assignee=None, actor=customer_actor(customer), now=now,
    )
