"""Holds on a supplier's part: the next lots must be inspected 100 %
(docs/architecture.md, "Quality rules")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class InspectionHold(SQLModel, table=True):
    __tablename__ = "inspection_holds"
    # Incoming inspection asks "does this supplier's part have an open hold?" for every lot.
    __table_args__ = (Index("ix_inspection_holds_supplier_part", "supplier_id", "part"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id")
    part: str = Field(max_length=100)
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    reason: str = Field(max_length=300)
    lots_required: int = Field(default=3)
    # Counted down by each lot recorded at incoming inspection; the hold ends at 0.
    lots_remaining: int = Field(default=3)
    created_at: datetime = Field(sa_type=UTCDateTime)
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
