"""What a supplier submits through its portal for a step of its case (containment, root cause,
short-term fix, countermeasure), waiting for the quality lead to accept or reject it.

The case does not move when the supplier submits: accepting applies the step through the
engine (with the submitted fields), rejecting sends the submission back with a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class Submission(SQLModel, table=True):
    __tablename__ = "submissions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    trigger: str = Field(max_length=40)  # the step it answers: contain, find_root_cause, ...
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str | None = None
    submitted_by: str = Field(max_length=100)  # "supplier:CODE" or the supplier user's name
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    # pending, accepted, rejected, withdrawn (superseded by a newer submission)
    status: str = Field(default="pending", max_length=10, index=True)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = None  # why it was rejected
    # The case version the supplier saw: accepting it after the case moved on is a conflict.
    case_version: int = Field(default=0)
