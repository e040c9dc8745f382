"""A supplier's request for more time on one open obligation of its case (a deadline row),
and the quality lead's signed decision on it (docs/architecture.md, "Edits and extensions")."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime

OPEN = "open"
APPROVED = "approved"
REFUSED = "refused"
# The lead moved the due time directly, with no request from the supplier.
GRANTED = "granted"


class DeadlineExtension(SQLModel, table=True):
    __tablename__ = "deadline_extensions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    deadline_id: int = Field(foreign_key="deadlines.id", index=True)
    # The deadline's id while the request is open, NULL once decided: a unique column, so a
    # second open request on the same deadline is refused by the database itself, even when
    # two arrive at once (NULLs never collide, on SQLite as on PostgreSQL).
    open_deadline_id: int | None = Field(default=None, unique=True)
    status: str = Field(default=OPEN, max_length=10, index=True)
    requested_by: str = Field(max_length=100)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(max_length=2000)
    due_before: datetime = Field(sa_type=UTCDateTime)  # the due time when it was asked for
    proposed_due: datetime = Field(sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, max_length=2000)
