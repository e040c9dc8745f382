"""Hash-chained audit events: each stores the hash of its content and of the event before it.

Changing, inserting or deleting an event breaks the chain from that event on; the case row
keeps the newest hash, so cutting off the tail is caught too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from capaflow.calendars import isoformat
from capaflow.models import Case, CaseEvent
from capaflow.models.db import build

GENESIS = "0" * 64


def event_hash(event: CaseEvent) -> str:
    """The hash of an event's content and of the hash of the event before it."""
    # Canonical JSON (sorted keys, fixed separators, times as UTC ISO text) so the same event
    # hashes the same on SQLite and PostgreSQL, today and after a dump and restore.
    payload = json.dumps(
        {
            "case_id": event.case_id,
            "seq": event.seq,
            "at": isoformat(event.at),
            "actor": event.actor,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "fields": event.fields,
            "note": event.note,
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_event(
    *,
    case: Case,
    action: str,
    from_state: str | None,
    fields: dict[str, Any],
    note: str | None,
    actor: str,
    at: datetime,
) -> CaseEvent:
    """The next event of the case's chain (after the state change); moves the case's head.

    Nothing is written here: the engine writes the case row first (its version check decides
    a race), then this event, in the step's transaction.
    """
    assert case.id is not None
    event = build(
        CaseEvent,
        case_id=case.id,
        seq=case.event_count + 1,
        at=at,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=case.state,
        fields=fields,
        note=note,
        prev_hash=case.head_hash or GENESIS,
        hash="",  # set just below, from everything else
    )
    event.hash = event_hash(event)
    case.event_count = event.seq
    case.head_hash = event.hash
    return event


@dataclass(frozen=True)
class Break:
    """The first place a case's chain does not match what was recomputed."""

    case_id: int
    seq: int | None
    event_id: int | None
    problem: str


@dataclass(frozen=True)
class Verification:
    cases: int
    events: int
    breaks: tuple[Break, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def _verify_case(case: Case, events: list[CaseEvent]) -> tuple[int, Break | None]:
    assert case.id is not None
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return expected_seq, Break(
                case.id, expected_seq, event.id, f"event {expected_seq} is missing"
            )
        if event.prev_hash != prev:
            return expected_seq, Break(
                case.id, event.seq, event.id, "does not point at the event before it"
            )
        if event_hash(event) != event.hash:
            return expected_seq, Break(
                case.id, event.seq, event.id, "its content does not match its hash"
            )
        prev = event.hash
    if len(events) != case.event_count or prev != (case.head_hash or GENESIS):
        return len(events), Break(
            case.id,
            len(events) + 1,
            None,
            f"the case records {case.event_count} events, the trail ends after {len(events)}",
        )
    return len(events), None


def verify(session: Session, *, case_id: int | None = None) -> Verification:
    """Recompute every chain (or one case's); report the first break of each broken case."""
    cases_query = select(Case).order_by(col(Case.id))
    if case_id is not None:
        cases_query = cases_query.where(Case.id == case_id)
    checked = events_seen = 0
    breaks: list[Break] = []
    for case in session.exec(cases_query):
        events = list(
            session.exec(
                select(CaseEvent)
                .where(CaseEvent.case_id == case.id)
                .order_by(col(CaseEvent.seq), col(CaseEvent.id))
            )
        )
        seen, broken = _verify_case(case, events)
        checked += 1
        events_seen += seen
        if broken is not None:
            breaks.append(broken)
    return Verification(cases=checked, events=events_seen, breaks=tuple(breaks))
