"""Evidence files on a case: defect photos, sorting records, measurement reports, the
supplier's own 8D document, audit evidence (docs/architecture.md, "Attachments").

The bytes live in the row itself, in the database: a backup, a PostgreSQL replica and the
one-transaction rule cover the evidence exactly as they cover the case it proves. Lists read
the row without `content` (attachments.service defers it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    # The supplier's submission the file goes with, if any (its 8D document, say).
    submission_id: int | None = Field(default=None, foreign_key="submissions.id")
    file_name: str = Field(max_length=200)  # sanitised: no path parts
    media_type: str = Field(max_length=100)  # detected from the content, not the browser's
    size: int
    sha256: str = Field(max_length=64)
    # "shared" (the supplier sees it) or "internal" (the quality team only).
    visibility: str = Field(max_length=10)
    uploaded_by: str = Field(max_length=100)  # the actor, as the audit trail names it
    by_supplier: bool = False  # uploaded by the supplier's people (its own evidence)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
