"""Service standards and the quality inspections that check them (docs/architecture.md,
"Service quality control"): standard versions and their items, inspection rounds beside their
cases with one result per item, and the findings a failed item raises.

A standard is versioned per department and position: importing a changed file adds version
N+1 and never touches an earlier one, so a recorded round keeps the version it was scored
against (`standard_id`). A round and a finding are cases of their own lifecycles (`round`,
`finding`): their state, trail, deadlines and notices are the engine's; these tables keep what
only they have.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class Standard(SQLModel, table=True):
    """One version of the written standard of a position in a department."""

    __tablename__ = "standards"
    __table_args__ = (
        UniqueConstraint("department", "position", "version", name="uq_standards_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=60)
    position: str = Field(max_length=60)
    version: int
    title: str = Field(max_length=200)
    # The items' content as imported, hashed: importing an identical file adds no version.
    digest: str = Field(max_length=64)
    imported_at: datetime = Field(sa_type=UTCDateTime)
    imported_by: str = Field(max_length=100)


class StandardItem(SQLModel, table=True):
    """One item of a standard version: what is checked, its weight, 5M1E factor and whether
    failing it spoils the whole ("100 − 1 = 0")."""

    __tablename__ = "standard_items"
    __table_args__ = (
        UniqueConstraint("standard_id", "code", name="uq_standard_items_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    standard_id: int = Field(foreign_key="standards.id", index=True)
    code: str = Field(max_length=40)
    text: str = Field(max_length=500)
    weight: float
    factor: str = Field(max_length=20)
    critical: bool = Field(default=False)
    # The place of the item in the standard as written.
    rank: int


class InspectionRound(SQLModel, table=True):
    """A quality inspection of one department and position, owed by its inspector."""

    __tablename__ = "inspection_rounds"
    __table_args__ = (
        # A month's plan is made once: planning it again finds its rounds by these.
        UniqueConstraint("department", "position", "planned_for", "slot",
                         name="uq_inspection_rounds_plan"),
        Index("ix_inspection_rounds_recorded", "department", "recorded_at"),
    )

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    department: str = Field(max_length=60)
    position: str = Field(max_length=60)
    inspector: str = Field(max_length=100)
    due_at: datetime = Field(sa_type=UTCDateTime)
    # The month a planned round belongs to (YYYY-MM) and its number in that month; None for
    # an ad hoc round.
    planned_for: str | None = Field(default=None, max_length=7)
    slot: int = Field(default=0)
    # The standard version the round was scored against, set when it is recorded.
    standard_id: int | None = Field(default=None, foreign_key="standards.id")
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    score: float | None = None


class RoundResult(SQLModel, table=True):
    """The inspector's pass or fail for one item of the round's standard version."""

    __tablename__ = "round_results"
    __table_args__ = (UniqueConstraint("round_id", "item_code", name="uq_round_results_item"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="inspection_rounds.case_id", index=True)
    item_code: str = Field(max_length=40)
    passed: bool
    note: str | None = Field(default=None, max_length=500)


class InspectionFinding(SQLModel, table=True):
    """A failed item of a round: owed a fix by its owner, and the recurrence rule's memory."""

    __tablename__ = "inspection_findings"
    # The recurrence rule looks for an earlier failure of the same item in the department.
    __table_args__ = (
        Index("ix_inspection_findings_item", "department", "item_code", "found_at"),
    )

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    round_id: int = Field(foreign_key="inspection_rounds.case_id", index=True)
    department: str = Field(max_length=60)
    item_code: str = Field(max_length=40)
    factor: str = Field(max_length=20)
    critical: bool = Field(default=False)
    owner: str = Field(max_length=100)
    found_at: datetime = Field(sa_type=UTCDateTime)
    # The PDCA cycle this failure opened because an earlier fix did not hold.
    pdca_case_id: int | None = Field(default=None, foreign_key="cases.id")
    action: str | None = Field(default=None, max_length=2000)
