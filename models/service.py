"""The service desk's tables: customers, the people who serve them, their absences, service
requests (each beside the case row its lifecycle runs on), follow-ups and training items.

A service request is a case of the `service` lifecycle (docs/architecture.md, "Service
desk"): its state, audit trail, deadlines and notices are the engine's, as for an 8D case.
`service_requests` keeps what only a request has, one row per case, with the columns the
queue and the monthly report filter and group by; its state, closing time and outcome are the
case's (the outcome is the `close` step's field, kept on the case's content).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class Customer(SQLModel, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=40)
    name: str = Field(max_length=200)
    tier: str = Field(max_length=40)
    # An Apprise URL (surveys, the customer's own notices); masked in every output.
    contact_url: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ServicePerson(SQLModel, table=True):
    """Someone requests are dispatched to: their team, skills, and whether they lead it."""

    __tablename__ = "service_people"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    team: str = Field(index=True, max_length=60)
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    lead: bool = Field(default=False)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Absence(SQLModel, table=True):
    """A person away from `starts_at` until `ends_at`: dispatch skips them meanwhile."""

    __tablename__ = "absences"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="service_people.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ServiceRequest(SQLModel, table=True):
    __tablename__ = "service_requests"
    # The monthly report groups a month's requests: by the moment they came in.
    __table_args__ = (Index("ix_service_requests_received", "received_at"),)

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    # Copied at intake: the SLA a request was promised does not change when its customer's
    # tier does later.
    tier: str = Field(max_length=40)
    kind: str = Field(max_length=20)  # inquiry, request, complaint, claim
    severity: str = Field(max_length=20)
    category: str = Field(max_length=60, index=True)
    team: str = Field(max_length=60)
    channel: str = Field(max_length=20)
    # Why dispatch could not follow its rules (nobody available: the team lead took it).
    dispatch_flag: str | None = Field(default=None, max_length=300)
    on_hold: bool = Field(default=False)
    received_at: datetime = Field(sa_type=UTCDateTime)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Whether the follow-up survey was owed (drawn by the tier's rate at resolve).
    sampled: bool | None = None
    # The corrective action a low score or a claim opened (an 8D case or a PDCA cycle).
    corrective_case_id: int | None = Field(default=None, foreign_key="cases.id")
    # A row of a CSV import: importing the same file again takes in only what is new.
    import_key: str | None = Field(default=None, max_length=64, unique=True)


class FollowUp(SQLModel, table=True):
    """The follow-up visit (回訪) of a resolved request: a survey sent, or a call recorded."""

    __tablename__ = "follow_ups"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    channel: str = Field(max_length=20)  # survey, phone, page
    status: str = Field(default="sent", max_length=20)  # sent, answered, expired
    # Only the survey link's digest is kept; the link itself is sent once.
    token_digest: str | None = Field(default=None, max_length=64, index=True)
    sent_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: str | None = Field(default=None, max_length=100)
    solved: bool | None = None
    overall: int | None = None
    nps: int | None = None
    reliability: int | None = None
    assurance: int | None = None
    tangibles: int | None = None
    empathy: int | None = None
    responsiveness: int | None = None
    comment: str | None = Field(default=None, max_length=4000)
    low_score: bool = Field(default=False)


class TrainingItem(SQLModel, table=True):
    """Targeted training for the person who handled a request scored low on a dimension."""

    __tablename__ = "training_items"

    id: int | None = Field(default=None, primary_key=True)
    person: str = Field(index=True, max_length=100)
    case_id: int = Field(foreign_key="cases.id", index=True)
    dimension: str = Field(max_length=40)
    title: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
