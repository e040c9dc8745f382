"""Supplier audits (5M1E): the findings an audit raises, each owed by someone by a date."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class AuditFinding(SQLModel, table=True):
    """A checklist item that failed at an audit; the audit closes when every finding is closed.

    The audit itself is a case of the "audit" lifecycle (planned → conducted → findings_open →
    closed); its findings hang off that case.
    """

    __tablename__ = "audit_findings"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    # The 5M1E factor as the [audit] checklist names it: people, machines, materials, methods,
    # environment, measurement.
    factor: str = Field(max_length=20)
    item: str = Field(max_length=300)  # the checklist item that failed
    description: str = Field(max_length=20_000)
    owner: str = Field(max_length=100)
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="open", max_length=10)  # open, closed
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str | None = Field(default=None, max_length=100)
    resolution: str | None = Field(default=None, max_length=20_000)
    created_at: datetime = Field(sa_type=UTCDateTime)
