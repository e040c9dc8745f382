"""What the service desk tests share: the desk of the default policies, a small desk of
people and customers, and opening and stepping requests at given times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from capaflow.config import load_policies
from capaflow.config.policies import validate_policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.servicedesk.policy import ServiceDesk, load_desk
from capaflow.servicedesk.register import add_customer, add_person
from capaflow.servicedesk.requests import RequestStep, advance_request, open_request

# Monday 7 December 2026, 09:00 UTC: the standard and basic tiers' hours are 08:00-18:00 UTC
# on weekdays (no holidays in the default [calendar]); the key tier is served around the clock.
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)


def desk() -> ServiceDesk:
    return load_desk(validate_policies(load_policies()))


def seed(session: Session, now: datetime = MONDAY) -> None:
    """Team field: ann (repair, installation), bob (repair), lea (lead, no skills); team
    office: olga; desk: dan (lead). Customers HOTEL (key, with a contact), SHOP (standard),
    KIOSK (basic)."""
    d = desk()
    add_customer(session, desk=d, code="HOTEL", name="Hotel Sun", tier="key",
                 contact="json://127.0.0.1:9/hotel", now=now)
    add_customer(session, desk=d, code="SHOP", name="Corner Shop", tier="standard",
                 contact=None, now=now)
    add_customer(session, desk=d, code="KIOSK", name="Kiosk", tier="basic", contact=None,
                 now=now)
    add_person(session, name="ann", team="field", skills="repair,installation", lead=False,
               now=now)
    add_person(session, name="bob", team="field", skills="repair", lead=False, now=now)
    add_person(session, name="lea", team="field", skills=None, lead=True, now=now)
    add_person(session, name="olga", team="office", skills=None, lead=False, now=now)
    add_person(session, name="dan", team="desk", skills=None, lead=True, now=now)
    session.commit()


def open_one(
    session: Session, policy: DeadlinePolicy, *, customer: str = "SHOP", kind: str = "request",
    severity: str = "S3", category: str = "repair", now: datetime = MONDAY,
    assignee: str | None = None, title: str = "Dryer does not heat",
) -> RequestStep:
    step = open_request(
        session, desk=desk(), policy=policy, customer=customer, kind=kind, severity=severity,
        category=category, channel="phone", title=title, description=None, assignee=assignee,
        actor="desk", now=now,
    )
    session.commit()
    return step


def advance(
    session: Session, policy: DeadlinePolicy, case_id: int, trigger: str, now: datetime,
    **fields: str,
) -> RequestStep:
    step = advance_request(session, desk=desk(), policy=policy, case_id=case_id,
                           trigger=trigger, fields=fields, note=None, actor="ann", now=now)
    session.commit()
    return step


def clocks(session: Session, case_id: int) -> dict[str, Any]:
    from sqlmodel import col, select

    from capaflow.models import Deadline

    rows = session.exec(select(Deadline).where(Deadline.case_id == case_id)
                        .order_by(col(Deadline.id)))
    return {d.key: d for d in rows}
