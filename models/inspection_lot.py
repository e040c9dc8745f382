"""Incoming inspection: each lot inspected, and the switching state per supplier and part."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class InspectionLot(SQLModel, table=True):
    __tablename__ = "inspection_lots"
    # A lot is inspected once: re-importing the same file adds nothing.
    __table_args__ = (
        UniqueConstraint("supplier_id", "part", "lot", name="uq_inspection_lots_lot"),
        Index("ix_inspection_lots_supplier_inspected", "supplier_id", "inspected_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id")
    part: str = Field(max_length=100)
    lot: str = Field(max_length=100)
    lot_size: int
    sample_size: int  # inspected; equals lot_size for 100 % inspection
    defects: int
    defect_code: str | None = Field(default=None, max_length=100)
    aql: float | None = None
    level: str | None = Field(default=None, max_length=4)
    # The inspection it was judged under: normal, tightened, reduced or 100%.
    severity: str = Field(max_length=12)
    acceptance_number: int | None = None
    accepted: bool
    inspected_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    hold_id: int | None = Field(default=None, foreign_key="inspection_holds.id")
    # The delivery's documents (issue 13, point 7). None: not recorded, which is neither
    # missing nor present and never counts against the supplier.
    outgoing_report: bool | None = None  # the supplier's outgoing inspection report came with it
    certificates: bool | None = None  # the material certificates came with it
    # The supplier's production lot as printed on the delivery.
    production_lot: str | None = Field(default=None, max_length=100)
    # Its production lot came before one already delivered of the supplier's part (None when
    # no production lot was recorded).
    out_of_order: bool | None = None


class SwitchingState(SQLModel, table=True):
    """ISO 2859-1 switching for one supplier's part: where it stands and the counts behind it."""

    __tablename__ = "switching_states"
    __table_args__ = (UniqueConstraint("supplier_id", "part", name="uq_switching_states_part"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id")
    part: str = Field(max_length=100)
    severity: str = Field(default="normal", max_length=12)  # normal, tightened, reduced, stopped
    # Newest last: accepted (true) or not, for the "2 of 5 or fewer" rule.
    recent: list[bool] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consecutive_accepted: int = Field(default=0)
    switching_score: int = Field(default=0)
    rejected_on_tightened: int = Field(default=0)
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)
