"""The append-only audit trail of a case; each event is chained to the one before it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class CaseEvent(SQLModel, table=True):
    __tablename__ = "case_events"
    # One event per position in a case's chain: two writers racing for the same position
    # cannot both land.
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    seq: int
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=40)  # "open" or the trigger applied
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str = Field(max_length=40)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str | None = None
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
