"""Defects seen at incoming inspection or on the line, matched to cases by the intake."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class DefectEvent(SQLModel, table=True):
    __tablename__ = "defect_events"
    # The recurrence match looks up by supplier + part + defect code.
    __table_args__ = (Index("ix_defect_events_match", "supplier_id", "part", "defect_code"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id")
    part: str = Field(max_length=100)
    defect_code: str = Field(max_length=100)
    quantity: int = Field(default=1)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    source: str = Field(default="line", max_length=30)  # line, incoming, customer
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    outcome: str | None = Field(default=None, max_length=30)  # occurrence, reopened, new_case
    # Set by a CSV import (a hash of the row): importing the same file again adds nothing.
    # Unique, and NULL for defects recorded one by one (NULLs never collide).
    import_key: str | None = Field(default=None, max_length=64, unique=True)
    # Set on the event `inspect record` (and the lot import) writes for a rejected lot: that
    # lot's defects already count through the lot (acceptance, PPM), so the grade leaves this
    # event out of the line defects. None for every defect recorded or imported as such.
    inspection_lot_id: int | None = Field(default=None, foreign_key="inspection_lots.id")
    # The triage (migration 0025; docs/architecture.md, "Defect triage"): how the defect was
    # classified (batch, sporadic, one_off, unavoidable), by the rule or by the quality lead,
    # and why, in words; None for defects recorded before the classification was kept here.
    lot_size: int | None = Field(default=None)
    classification: str | None = Field(default=None, max_length=20, index=True)
    classification_source: str | None = Field(default=None, max_length=10)  # rule, override
    classification_reason: str | None = Field(default=None, max_length=2000)
    # Marked handled by the quality lead (closed from the nonconformance list), and why.
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by: str | None = Field(default=None, max_length=100)
    handled_reason: str | None = Field(default=None, max_length=2000)
