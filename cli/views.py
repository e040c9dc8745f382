"""How deadlines and events look as rich tables (their JSON is in documents.cases), with
times on the site's wall clock (`zone`, `[calendar] timezone`).

The JSON and the tables carry the same facts; JSON field names are part of the contract.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.table import Table

from capaflow.calendars import readable
from capaflow.deadlines.status import deadline_status
from capaflow.models import CaseComment, CaseEvent, Deadline
from capaflow.statemachines.words import say, say_value


def deadlines_table(deadlines: list[Deadline], now: datetime, zone: tzinfo | None = None
                    ) -> Table:
    table = Table(title="Deadlines", title_justify="left")
    for column in ("milestone", "due", "status", "closed"):
        table.add_column(column)
    for d in deadlines:
        title = d.title + (f" #{d.sequence}" if d.key == "effectiveness_review" else "")
        status = deadline_status(d, now)
        style = "red" if status in ("overdue", "met late") else None
        table.add_row(title, readable(d.due_at, zone), status, readable(d.closed_at, zone),
                      style=style)
    return table


def events_table(events: list[CaseEvent], *, hashes: bool = False,
                 zone: tzinfo | None = None) -> Table:
    table = Table(title="Events", title_justify="left")
    for column in ("#", "when", "step", "by", "state", "content"):
        table.add_column(column)
    if hashes:
        table.add_column("hash")
    for e in events:
        # In words, as the pages say them; `--json` keeps the names and values as stored.
        moved = f"{say(e.from_state)} → {say(e.to_state)}" if e.from_state else say(e.to_state)
        content = "; ".join(f"{say(k)}: {say_value(v)}" for k, v in e.fields.items())
        if e.note:
            content = f"{content}; note: {e.note}" if content else f"note: {e.note}"
        row = [str(e.seq), readable(e.at, zone), say(e.action), e.actor, moved, content]
        if hashes:
            row.append(e.hash[:16])
        table.add_row(*row)
    return table


def comments_table(comments: list[CaseComment], zone: tzinfo | None = None) -> Table:
    """The conversation on a case, oldest first; internal notes marked."""
    table = Table(title="Conversation", title_justify="left")
    for column in ("when", "by", "shared", "comment"):
        table.add_column(column)
    for c in comments:
        table.add_row(readable(c.posted_at, zone), c.author,
                      "internal" if c.internal else "shared", c.body)
    return table
