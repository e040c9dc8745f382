"""A case list a person saved under a name: the filters as the list's own query string."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class SavedView(SQLModel, table=True):
    __tablename__ = "saved_views"
    # One name once per person; listing a person's views reads this index too.
    __table_args__ = (UniqueConstraint("user_name", "name", name="uq_saved_views_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    # The signed-in person (Principal.name): a view is theirs alone.
    user_name: str = Field(max_length=100)
    name: str = Field(max_length=60)
    # The case list's filters, as the query string of /cases (bookmarkable).
    query: str = Field(max_length=2000)
    created_at: datetime = Field(sa_type=UTCDateTime)
