"""The outbox: notices queued in the same transaction as the step that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next_attempt", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # Unique: a sweep that runs twice or crashes half-way never queues the same notice twice.
    dedupe_key: str = Field(max_length=200, unique=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadlines.id")
    kind: str = Field(max_length=30)  # case_moved, reminder, escalation, review, ...
    escalation_level: int = Field(default=0)
    # Roles ("owner", "supplier_contact", "quality_lead", ...), resolved to URLs on dispatch.
    audience: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    subject: str = Field(max_length=300)
    body: str
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # pending, sending (claimed by a dispatcher, under a lease), sent, failed
    status: str = Field(default="pending", max_length=10)
    attempts: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    # The roles this notice reached nobody at (no URL on record), comma-separated, e.g.
    # "supplier_quality_head"; None when every role had a recipient. Kept apart from the
    # status, which stays pending/sent/failed (the contract): a notice can be sent to some and
    # still have missed the one it was meant for (docs/architecture.md, "Master data").
    unreached: str | None = Field(default=None, max_length=300, index=True)
