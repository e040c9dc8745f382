"""What a case owes and by when: one row per milestone obligation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime

PENDING = "pending"
MET = "met"
CANCELLED = "cancelled"
ON_HOLD = "on_hold"


class Deadline(SQLModel, table=True):
    __tablename__ = "deadlines"
    # The sweep asks "which pending deadlines have their next action due?" through this index,
    # so its cost follows the work due, not the number of open cases
    # (docs/architecture.md, "Rows, not timers").
    # The service report picks a month's SLA clocks by their key and due time.
    __table_args__ = (
        Index("ix_deadlines_status_next_action", "status", "next_action_at"),
        Index("ix_deadlines_key_due", "key", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    key: str = Field(max_length=60)  # the milestone: "containment", "root_cause", ...
    # What the sweep does when it comes due: "obligation" (remind, then escalate), "review"
    # (a review notice, then met), "window" (the case closes: no recurrence in time).
    kind: str = Field(
        default="obligation", max_length=12, sa_column_kwargs={"server_default": "obligation"}
    )
    title: str = Field(max_length=200)
    sequence: int = Field(default=1)  # the n-th of a repeating deadline (monthly reviews)
    started_by: str = Field(max_length=40)
    started_seq: int  # the audit event that started the clock
    met_by: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    started_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=PENDING, max_length=12)
    next_action_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalation_level: int = Field(default=0)  # the ladder's last level notified, 0 = none
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    met_on_time: bool | None = None
    closed_by_seq: int | None = None
    # Time spent on hold is added back to the due time on resume
    # (docs/architecture.md, "Rows, not timers").
    hold_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    held_seconds: int = Field(default=0)
    # How many times the due time was extended (docs/architecture.md, "Edits and extensions"):
    # the sweep's notice keys name the round, so the ladder restarts for the new due time
    # instead of its notices being dropped as duplicates of the first round's.
    extensions: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
