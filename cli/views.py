"""How cases, deadlines, events and suppliers look as JSON and as rich tables.

The JSON and the tables carry the same facts; JSON field names are part of the contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table

from capaflow.calendars import isoformat, readable
from capaflow.deadlines.status import deadline_status, is_overdue
from capaflow.models import Case, CaseEvent, Deadline, Supplier
from capaflow.notifications.urls import mask
from capaflow.statemachines import LIFECYCLES


def _iso(value: datetime | None) -> str | None:
    return isoformat(value) if value is not None else None


def deadline_json(deadline: Deadline, now: datetime) -> dict[str, Any]:
    return {
        "id": deadline.id,
        "key": deadline.key,
        "title": deadline.title,
        "sequence": deadline.sequence,
        "status": deadline.status,
        "overdue": is_overdue(deadline, now),
        "started_at": _iso(deadline.started_at),
        "due_at": _iso(deadline.due_at),
        "closed_at": _iso(deadline.closed_at),
        "met_on_time": deadline.met_on_time,
        "met_by": deadline.met_by,
    }


def event_json(event: CaseEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": _iso(event.at),
        "actor": event.actor,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "fields": event.fields,
        "note": event.note,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def supplier_json(supplier: Supplier) -> dict[str, Any]:
    return {
        "id": supplier.id,
        "code": supplier.code,
        "name": supplier.name,
        # Apprise URLs may hold passwords and tokens: never shown in full.
        "contact": mask(supplier.contact_url),
        "quality_head": mask(supplier.quality_head_url),
        "executive": mask(supplier.executive_url),
        "created_at": _iso(supplier.created_at),
    }


def case_json(case: Case, supplier: Supplier | None) -> dict[str, Any]:
    lifecycle = LIFECYCLES[case.lifecycle]
    return {
        "id": case.id,
        "lifecycle": case.lifecycle,
        "state": case.state,
        "discipline": lifecycle.disciplines.get(case.state),
        "allowed_triggers": list(lifecycle.allowed(case.state)),
        "version": case.version,
        "title": case.title,
        "supplier": supplier.code if supplier else None,
        "part": case.part,
        "defect_code": case.defect_code,
        "severity": case.severity,
        "complexity": case.complexity,
        "owner": case.owner,
        "cycle": case.cycle,
        "reopen_count": case.reopen_count,
        "occurrences": case.occurrences,
        "content": case.content,
        "opened_at": _iso(case.opened_at),
        "updated_at": _iso(case.updated_at),
        "closed_at": _iso(case.closed_at),
    }


def deadlines_table(deadlines: list[Deadline], now: datetime) -> Table:
    table = Table(title="Deadlines", title_justify="left")
    for column in ("milestone", "due", "status", "closed"):
        table.add_column(column)
    for d in deadlines:
        title = d.title + (f" #{d.sequence}" if d.key == "effectiveness_review" else "")
        status = deadline_status(d, now)
        style = "red" if status in ("overdue", "met late") else None
        table.add_row(title, readable(d.due_at), status, readable(d.closed_at), style=style)
    return table


def events_table(events: list[CaseEvent], *, hashes: bool = False) -> Table:
    table = Table(title="Events", title_justify="left")
    for column in ("#", "when", "step", "by", "state", "content"):
        table.add_column(column)
    if hashes:
        table.add_column("hash")
    for e in events:
        moved = f"{e.from_state} → {e.to_state}" if e.from_state else e.to_state
        content = "; ".join(f"{k}={v}" for k, v in e.fields.items())
        if e.note:
            content = f"{content}; note: {e.note}" if content else f"note: {e.note}"
        row = [str(e.seq), readable(e.at), e.action, e.actor, moved, content]
        if hashes:
            row.append(e.hash[:16])
        table.add_row(*row)
    return table
