"""A corrective-action or improvement case: its lifecycle state and its 8D / PDCA content."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Index, Integer
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime

# The version column is declared by hand so SQLAlchemy can use it as the mapper's
# version_id_col: every UPDATE then says "WHERE version = <what I read>" and bumps it, and a
# stale writer fails with StaleDataError instead of overwriting the winner.
_version_column = Column("version", Integer, nullable=False, default=1)


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    # Dispatch counts each person's open requests: by owner, then state. The case list
    # (caselists) pages through cases by the moment they were opened.
    __table_args__ = (
        Index("ix_cases_owner_state", "owner", "state"),
        Index("ix_cases_opened_at", "opened_at"),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _version_column}

    id: int | None = Field(default=None, primary_key=True)
    lifecycle: str = Field(max_length=20, index=True)  # 8d, pdca, audit, cause_report
    state: str = Field(max_length=40, index=True)
    title: str = Field(max_length=300)
    supplier_id: int | None = Field(default=None, foreign_key="suppliers.id", index=True)
    part: str | None = Field(default=None, max_length=100)
    defect_code: str | None = Field(default=None, max_length=100)
    severity: str = Field(default="major", max_length=10)  # minor, major, critical
    complexity: str = Field(default="general", max_length=10)  # general, complex
    owner: str | None = Field(default=None, max_length=100)
    # The earlier case of the same supplier, part and defect, when a recurrence after closure
    # opened this one.
    linked_case_id: int | None = Field(default=None, foreign_key="cases.id")
    # PDCA: which plan-do-check-act turn this is; 8D: stays 1.
    cycle: int = Field(default=1)
    reopen_count: int = Field(default=0)
    occurrences: int = Field(default=1)
    # The 8D / PDCA content as filled so far (D1 team, D2 problem, D3 containment, ...).
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The newest audit event's hash: deleting the tail of the trail is then detectable too.
    head_hash: str = Field(default="", max_length=64)
    event_count: int = Field(default=0)
    version: int = Field(default=1, sa_column=_version_column)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
