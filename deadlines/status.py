"""Where a deadline stands at `now`, in the quality lead's words: met on time, met late,
overdue, or still pending (the pages, the reports and the CLI say it the same way; the case
list's SQL filter `overdue` in models/queries.py states the same rule for the database)."""

from __future__ import annotations

from datetime import datetime

from capaflow.models import Deadline


def is_overdue(deadline: Deadline, now: datetime) -> bool:
    """Owed and past due. Reviews and the effectiveness window are timers the sweep acts on,
    not something the case owes, so they are never overdue."""
    return deadline.status == "pending" and deadline.kind == "obligation" and deadline.due_at < now


def deadline_status(deadline: Deadline, now: datetime) -> str:
    if deadline.status == "met":
        return "met on time" if deadline.met_on_time else "met late"
    if is_overdue(deadline, now):
        return "overdue"
    return deadline.status
