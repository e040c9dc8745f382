"""Suppliers and the people to reach at each, by role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


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
    # Set by a grade E; new lots are refused until a quality lead lifts it (both audited in
    # supplier_escalations and the supplier's decisions).
    blacklisted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    blacklist_reason: str | None = Field(default=None, max_length=300)
    # The newest decision's hash and how many there are (audittrail.decisions): deleting the
    # last decision is then detectable too, as with a case's head_hash.
    decision_head: str = Field(default="", max_length=64)
    decision_count: int = Field(default=0)


class SupplierDecision(SQLModel, table=True):
    """A decision about a supplier that must be on record: blacklisting and lifting it."""

    __tablename__ = "supplier_decisions"

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id", index=True)
    decision: str = Field(max_length=30)  # blacklisted, blacklist_lifted
    reason: str = Field(max_length=1000)
    actor: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)
    # A signed decision (lifting a blacklist): who re-entered their password, when, and what
    # the signature means.
    signature: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The supplier's decisions form a hash chain like a case's events (audittrail.decisions):
    # its place in the supplier's chain, the hash of the decision before it, and its own hash
    # over everything above, the signature included.
    seq: int = Field(default=0)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)
