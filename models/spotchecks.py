"""Spot-checks of closed service requests (docs/architecture.md, "Service quality control"):
the weekly draw, with the seed that makes it reproducible, and each spot-check beside the
case its `spotcheck` lifecycle runs on (owed by its reviewer, a deadline row like any other).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class SpotCheckDraw(SQLModel, table=True):
    __tablename__ = "spotcheck_draws"

    id: int | None = Field(default=None, primary_key=True)
    week: str = Field(max_length=8, unique=True)  # ISO week, 2026-W49
    # Recorded so the same sample can be drawn again and shown to be the same.
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    closed_requests: int
    drawn: int
    drawn_at: datetime = Field(sa_type=UTCDateTime)
    drawn_by: str = Field(max_length=100)


class SpotCheck(SQLModel, table=True):
    __tablename__ = "spot_checks"
    __table_args__ = (UniqueConstraint("draw_id", "request_case_id",
                                       name="uq_spot_checks_draw_request"),)

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    draw_id: int = Field(foreign_key="spotcheck_draws.id", index=True)
    request_case_id: int = Field(foreign_key="cases.id", index=True)
    week: str = Field(max_length=8)
    person: str = Field(max_length=100, index=True)
    team: str | None = Field(default=None, max_length=60)
    department: str | None = Field(default=None, max_length=60)
    position: str | None = Field(default=None, max_length=60)
    reviewer: str = Field(max_length=100)
    due_at: datetime = Field(sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    reviewed_by: str | None = Field(default=None, max_length=100)
    standard_version: int | None = None
    score: float | None = None
    passed: bool | None = None
    items_total: int | None = None
    items_passed: int | None = None
    # Each item's code, result, weight, factor and critical flag as scored.
    items: list[dict[str, Any]] = Field(default_factory=list,
                                        sa_column=Column(JSON, nullable=False))
