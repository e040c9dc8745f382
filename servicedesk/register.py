"""Customers and the people who serve them: adding, finding, absences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.errors import BadInput, Conflict, NotFound, check_text
from capaflow.models import Absence, Customer, ServicePerson
from capaflow.notifications import urls
from capaflow.servicedesk.policy import ServiceDesk

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$")



def add_customer(
    session: Session, *, desk: ServiceDesk, code: str, name: str, tier: str,
    contact: str | None, now: datetime,
) -> Customer:
    if not _CODE.match(code):
        raise BadInput(f"code: '{code}' must be 1-40 letters, digits, '.', '_' or '-'",
                       field="code")
    customer = Customer(
        code=code,
        name=check_text("name", name, required=True, limit=200),
        tier=desk.check_tier(tier),
        contact_url=urls.check_url("contact", contact),
        created_at=now,
    )
    if find_customer(session, code) is not None:
        raise Conflict(f"code: customer '{code}' already exists", field="code")
    session.add(customer)
    session.flush()
    return customer


def find_customer(session: Session, code: str) -> Customer | None:
    return session.exec(select(Customer).where(Customer.code == code)).first()


def get_customer(session: Session, code: str) -> Customer:
    found = find_customer(session, code)
    if found is None:
        raise NotFound(f"customer '{code}' does not exist", field="customer")
    return found


def list_customers(session: Session) -> list[Customer]:
    return list(session.exec(select(Customer).order_by(col(Customer.code))))


def _skills(text: str | None) -> list[str]:
    skills = [s.strip().lower() for s in (text or "").split(",") if s.strip()]
    for skill in skills:
        if not _CODE.match(skill):
            raise BadInput(f"skills: '{skill}' must be letters, digits, '.', '_' or '-'",
                           field="skills")
    return sorted(set(skills))


def add_person(
    session: Session, *, name: str, team: str, skills: str | None, lead: bool, now: datetime,
) -> ServicePerson:
    if not _NAME.match(name):
        raise BadInput(f"name: '{name}' must be 1-100 letters, digits, spaces, '.', '_' or '-'",
                       field="name")
    if not _CODE.match(team):
        raise BadInput(f"team: '{team}' must be 1-40 letters, digits, '.', '_' or '-'",
                       field="team")
    person = ServicePerson(name=name, team=team, skills=_skills(skills), lead=lead,
                           created_at=now)
    if find_person(session, name) is not None:
        raise Conflict(f"name: person '{name}' already exists", field="name")
    session.add(person)
    session.flush()
    return person


def find_person(session: Session, name: str) -> ServicePerson | None:
    return session.exec(select(ServicePerson).where(ServicePerson.name == name)).first()


def get_person(session: Session, name: str, *, field: str = "person") -> ServicePerson:
    found = find_person(session, name)
    if found is None:
        raise NotFound(f"person '{name}' does not exist", field=field)
    return found


def list_people(session: Session, team: str | None = None) -> list[ServicePerson]:
    query = select(ServicePerson).order_by(col(ServicePerson.team), col(ServicePerson.name))
    if team is not None:
        query = query.where(ServicePerson.team == team)
    return list(session.exec(query))


def mark_absent(
    session: Session, *, name: str, starts_at: datetime, ends_at: datetime, now: datetime,
) -> Absence:
    person = get_person(session, name)
    if ends_at <= starts_at:
        raise BadInput(f"to: {ends_at.isoformat()} must be after from {starts_at.isoformat()}",
                       field="to")
    assert person.id is not None
    absence = Absence(person_id=person.id, starts_at=starts_at, ends_at=ends_at, created_at=now)
    session.add(absence)
    session.flush()
    return absence


def absent_at(session: Session, person_ids: Sequence[int], now: datetime) -> set[int]:
    """Which of these people are away at `now`."""
    if not person_ids:
        return set()
    rows = session.exec(
        select(Absence.person_id)
        .where(col(Absence.person_id).in_(person_ids))
        .where(col(Absence.starts_at) <= now)
        .where(col(Absence.ends_at) > now)
    )
    return set(rows)


def absences_of(session: Session, person_id: int) -> list[Absence]:
    return list(session.exec(
        select(Absence).where(Absence.person_id == person_id).order_by(col(Absence.starts_at))))
