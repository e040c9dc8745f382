"""Three-level checks of work (docs/architecture.md, "Service quality control"): a work item
beside the case its `work_item` lifecycle runs on, and each check recorded on it.

The item's state, trail and notices are the case's; `work_items` keeps what only a work item
has (department, team, the service request it serves) and `work_checks` one row per check
taken, with its round: a failed check sends the item to rework and the next round starts
again from the self check.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class WorkItem(SQLModel, table=True):
    __tablename__ = "work_items"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    department: str = Field(max_length=60, index=True)
    team: str | None = Field(default=None, max_length=60)
    # The service request this work is done for, if any (its case id).
    request_case_id: int | None = Field(default=None, foreign_key="cases.id")
    # The round of checks under way: 1, then one more after each rework.
    round: int = Field(default=1)
    opened_at: datetime = Field(sa_type=UTCDateTime)


class WorkCheck(SQLModel, table=True):
    __tablename__ = "work_checks"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    round: int
    level: str = Field(max_length=20)  # self, mutual, specialist
    passed: bool
    checked_by: str = Field(max_length=100)
    team: str = Field(max_length=60)
    checked_at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=4000)
    # The standard's item codes the check found not met.
    failed_items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seq: int  # the audit event of the check
