"""What a supplier-caused defect cost: charged back to the supplier
(docs/architecture.md, "Quality rules")."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class CaseCost(SQLModel, table=True):
    __tablename__ = "case_costs"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=20)  # sorting, rework, line_stop, scrap, other
    # Money is never a float: exact to the cent on SQLite and PostgreSQL alike.
    amount: Decimal = Field(sa_type=Numeric(14, 2))
    currency: str = Field(max_length=3)  # ISO 4217
    incurred_at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=2000)
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
