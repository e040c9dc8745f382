"""The incidents' tables: an incident beside the case its lifecycle runs on, and the steps of
its contingency plan as they were when it was declared.

An incident is a case of the `incident` lifecycle (docs/architecture.md, "Service quality
control"): its state, trail, deadlines (one per step, the post-incident review) and notices
are the engine's. `incidents` keeps what only an incident has, with the columns the lists,
the drill clock and the monthly figures filter by. `incident_steps` copies the plan's steps
at declaration (action, role, due time), so a plan changed later never rewrites a past
incident; the clock of each step is its deadline row, keyed `step:<number>`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class Incident(SQLModel, table=True):
    __tablename__ = "incidents"
    # The drill clock reads a type's last drill; the figures a period's incidents.
    __table_args__ = (
        Index("ix_incidents_type_drill_declared", "type", "drill", "declared_at"),
        Index("ix_incidents_declared", "declared_at"),
    )

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    type: str = Field(max_length=60)
    severity: str = Field(max_length=10)
    drill: bool = Field(default=False)
    department: str | None = Field(default=None, max_length=60)
    declared_at: datetime = Field(sa_type=UTCDateTime)
    declared_by: str = Field(max_length=100)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary: str | None = Field(default=None, max_length=4000)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by: str | None = Field(default=None, max_length=100)
    cause: str | None = Field(default=None, max_length=4000)
    factor: str | None = Field(default=None, max_length=20)
    # The 8D case or PDCA cycle the review opened (its linked_case_id names this incident).
    corrective_case_id: int | None = Field(default=None, foreign_key="cases.id")


class IncidentStep(SQLModel, table=True):
    __tablename__ = "incident_steps"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_incident_steps_number"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="incidents.case_id", index=True)
    number: int
    action: str = Field(max_length=300)
    role: str = Field(max_length=60)
    due_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=2000)
