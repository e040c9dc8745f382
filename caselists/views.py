"""Saved views: a person's case-list filters under a name of their own. A view belongs to the
person who saved it; nobody else lists, opens or deletes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from capaflow.caselists.filters import parse_filter
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import SavedView

MAX_NAME = 60
MAX_VIEWS = 100  # per person: a list of views, not a store


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BadInput("name: give the view a name", field="name")
    if len(cleaned) > MAX_NAME:
        raise BadInput(f"name: at most {MAX_NAME} characters", field="name")
    return cleaned


def list_views(session: Session, *, user: str) -> list[SavedView]:
    return list(session.exec(
        select(SavedView).where(SavedView.user_name == user)
        .order_by(func.lower(SavedView.name), col(SavedView.id))
    ).all())


def save_view(session: Session, *, user: str, name: str, params: dict[str, str],
              now: datetime) -> SavedView:
    """Save the list's filters (checked as the list checks them; the page number is not
    kept) under `name`: 1..60 characters, unique for this person (Conflict, field name)."""
    cleaned = _name(name)
    query = parse_filter(params).query_string(page=False)
    taken = session.exec(
        select(SavedView.id).where(SavedView.user_name == user)
        .where(func.lower(SavedView.name) == cleaned.lower())
    ).first()
    if taken is not None:
        raise Conflict(f"name: you already have a view called '{cleaned}'", field="name")
    count = session.exec(
        select(func.count()).select_from(SavedView).where(SavedView.user_name == user)
    ).one()
    if count >= MAX_VIEWS:
        raise Conflict(f"name: you have {MAX_VIEWS} views; delete one first", field="name")
    view = SavedView(user_name=user, name=cleaned, query=query, created_at=now)
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, *, user: str, view_id: int) -> SavedView:
    """Delete one of this person's views; another person's is not found (NotFound)."""
    view = session.get(SavedView, view_id) if 0 < view_id < 2**31 else None
    if view is None or view.user_name != user:
        raise NotFound(f"view: no view {view_id} of yours", field="view")
    session.delete(view)
    session.flush()
    return view
