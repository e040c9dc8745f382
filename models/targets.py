"""The monthly review's kept figures and the PDCA cycles its indicators opened
(docs/architecture.md, "Service quality control")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class ReviewFigure(SQLModel, table=True):
    """An indicator's figure for a department and month as the month was closed: the review
    meeting's record, which later late data does not change, and what the next month's
    "missed twice running" rule reads."""

    __tablename__ = "review_figures"
    __table_args__ = (UniqueConstraint("month", "department", "indicator",
                                       name="uq_review_figures_month"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)
    department: str = Field(max_length=60)
    indicator: str = Field(max_length=60)
    value: float | None = Field(default=None)
    target: float | None = Field(default=None)
    # None: nothing measured or no target, neither met nor missed.
    met: bool | None = Field(default=None)
    kept_at: datetime = Field(sa_type=UTCDateTime)


class IndicatorCycle(SQLModel, table=True):
    """A PDCA cycle an indicator opened for a department, and the month that opened it: one
    per department, indicator and month, so closing a month twice opens nothing new."""

    __tablename__ = "indicator_cycles"
    __table_args__ = (UniqueConstraint("department", "indicator", "month",
                                       name="uq_indicator_cycles_month"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=60, index=True)
    indicator: str = Field(max_length=60)
    month: str = Field(max_length=7)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    # The earlier cycle of the same department and indicator, when there was one.
    earlier_case_id: int | None = Field(default=None, foreign_key="cases.id")
    # The earlier cycle was closed and the indicator missed in the very next month: its "act"
    # step did not hold (dynamic PDCA).
    act_failed: bool = Field(default=False)
    opened_at: datetime = Field(sa_type=UTCDateTime)
