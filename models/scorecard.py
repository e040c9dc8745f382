"""Monthly supplier grades, the cooperation rating behind them, and the escalations they fired."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class SupplierRating(SQLModel, table=True):
    """The quality lead's monthly judgement of the supplier's cooperation (4 levels)."""

    __tablename__ = "supplier_ratings"
    __table_args__ = (UniqueConstraint("supplier_id", "month", name="uq_supplier_ratings_month"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id")
    month: str = Field(max_length=7)  # YYYY-MM
    attitude: str = Field(max_length=30)
    rated_by: str = Field(max_length=100)
    rated_at: datetime = Field(sa_type=UTCDateTime)


class Scorecard(SQLModel, table=True):
    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("supplier_id", "month", name="uq_scorecards_month"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id")
    month: str = Field(max_length=7)
    # Both None for a month not graded: nothing to grade in it (scorecards.grading), and the
    # escalation rules look through it to the last graded month.
    score: float | None = None
    grade: str | None = Field(default=None, max_length=1)
    # Why the month is not graded ("nothing to grade: ...", "blacklisted: ..."); None if graded.
    not_graded_reason: str | None = Field(default=None, max_length=200)
    # Each factor's measure and points, so a grade can always be explained.
    components: dict[str, Any] = Field(default_factory=dict,
                                       sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(sa_type=UTCDateTime)


class SupplierEscalation(SQLModel, table=True):
    """An escalation rule that fired for a supplier in a month; unique, so it fires once."""

    __tablename__ = "supplier_escalations"
    __table_args__ = (
        UniqueConstraint("supplier_id", "month", "rule", name="uq_supplier_escalations_rule"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id")
    month: str = Field(max_length=7)
    rule: str = Field(max_length=30)  # three_c, three_d, drop_two, grade_e
    actions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
