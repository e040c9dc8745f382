"""A comment on a case: the conversation between the quality team and the supplier.

A quality lead's comment is shared with the supplier or internal (never shown to a
supplier); a supplier's comment is always shared. Each comment is also an event in the case's
hash-chained trail (docs/architecture.md, "The supplier conversation").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class CaseComment(SQLModel, table=True):
    __tablename__ = "case_comments"
    # A thread is read by case, oldest first.
    __table_args__ = (Index("ix_case_comments_case_at", "case_id", "posted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    author: str = Field(max_length=100)  # the actor: a user's name or "supplier:CODE"
    author_kind: str = Field(max_length=10)  # lead, supplier
    body: str = Field(max_length=5000)
    internal: bool = Field(default=False)  # a quality team's note the supplier never reads
    posted_at: datetime = Field(sa_type=UTCDateTime)
