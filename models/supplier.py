"""Suppliers and the people to reach at each, by role."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class Supplier(SQLModel, table=True):
    __tablename__ = "suppliers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=40)
    name: str = Field(max_length=200)
    # Each an Apprise URL; they may carry secrets, so output masks them.
    contact_url: str | None = Field(default=None, max_length=1000)
    quality_head_url: str | None = Field(default=None, max_length=1000)
    executive_url: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime)
