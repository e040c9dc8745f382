"""The review queue: how many supplier submissions wait for the quality lead's decision (the
dashboard's card and the menu's count)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from capaflow.models import Submission

_SUBMISSIONS = Submission.__table__  # type: ignore[attr-defined]
# Counted through the index on status: one small statement per page.
_WAITING = select(func.count()).select_from(_SUBMISSIONS).where(
    _SUBMISSIONS.c.status == "pending")


def waiting_for_review(session: Session) -> int:
    """Submissions still pending: neither accepted, rejected nor withdrawn."""
    return int(session.connection().execute(_WAITING).scalar() or 0)
