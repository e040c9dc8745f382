"""A small service desk over a real database for the survey and portal tests: two customers
(A and B, key tier: every resolved request is drawn for the survey), one person at the desk,
requests opened and resolved through the services, with the site key the web server uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session, col, select

from capaflow.accounts.customer_links import survey_link_maker
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Customer, FollowUp, Notification
from capaflow.models.db import get_engine, session_scope
from capaflow.runtime.root import Runtime
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import add_customer, add_person
from capaflow.servicedesk.requests import advance_request, open_request
from tests.conftest import T0

SECRET = "the-survey-tests-site-key-at-least-32-characters"
BASE_URL = "https://service.example.com"
RESOLVED_AT = T0 + timedelta(hours=2)
# [service] follow_up_within = "7d": the survey link lasts as long.
EXPIRES_AT = RESOLVED_AT + timedelta(days=7)


def settings(db_url: str, now: datetime = T0) -> Settings:
    return Settings(database_url=db_url, now=isoformat(now), routes="no-routes.toml",
                    secret_key=SECRET, base_url=BASE_URL)


@dataclass
class Desk:
    url: str
    desk: ServiceDesk
    policy: DeadlinePolicy

    def session(self) -> Session:
        return Session(get_engine(self.url))


def service_desk(db_url: str, *, contact_a: str | None = "json://127.0.0.1:9/customer/a",
                 contact_b: str | None = "json://127.0.0.1:9/customer/b") -> Desk:
    runtime = Runtime(settings=settings(db_url))
    built = Desk(url=db_url, desk=runtime.service_desk, policy=runtime.deadline_policy)
    with session_scope(get_engine(db_url)) as session:
        for code, contact in (("A", contact_a), ("B", contact_b)):
            add_customer(session, desk=built.desk, code=code, name=f"Customer {code}",
                         tier="key", contact=contact, now=T0)
        add_person(session, name="ana", team="desk", skills=None, lead=False, now=T0)
    return built


def open_for(built: Desk, customer: str, title: str, *, at: datetime = T0) -> int:
    with session_scope(get_engine(built.url)) as session:
        opened = open_request(
            session, desk=built.desk, policy=built.policy, customer=customer,
            kind="complaint", severity="S3", category="general", channel="phone",
            title=title, description=None, assignee=None, actor="desk", now=at)
        assert opened.case.id is not None
        return opened.case.id


def resolve(built: Desk, case_id: int, *, at: datetime = RESOLVED_AT) -> None:
    with session_scope(get_engine(built.url)) as session:
        advance_request(session, desk=built.desk, policy=built.policy, case_id=case_id,
                        trigger="resolve", fields={"resolution": "Replaced the compressor."},
                        note=None, actor="ana", now=at)


def resolved_for(built: Desk, customer: str, title: str) -> int:
    case_id = open_for(built, customer, title)
    resolve(built, case_id)
    return case_id


def follow_up_of(built: Desk, case_id: int) -> FollowUp:
    with session_scope(get_engine(built.url)) as session:
        found = session.exec(select(FollowUp).where(FollowUp.case_id == case_id)
                             .order_by(col(FollowUp.id).desc())).first()
        assert found is not None
        session.expunge(found)
        return found


def customer_id(built: Desk, code: str) -> int:
    with session_scope(get_engine(built.url)) as session:
        found = session.exec(select(Customer).where(Customer.code == code)).first()
        assert found is not None and found.id is not None
        return found.id


def survey_link(built: Desk, case_id: int, code: str) -> str:
    """The link the dispatcher sends for this request's survey (made as it makes it)."""
    link = survey_link_maker(SECRET, base_url=BASE_URL)(follow_up_of(built, case_id),
                                                       customer_id(built, code))
    assert link is not None
    return link


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["t"][0]


def survey_notices(built: Desk) -> list[Notification]:
    with session_scope(get_engine(built.url)) as session:
        rows = list(session.exec(select(Notification).where(Notification.kind == "survey")
                                 .order_by(col(Notification.id))))
        for row in rows:
            session.expunge(row)
        return rows
