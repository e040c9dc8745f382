"""Hash-chained audit events: each stores the hash of its content and of the event before it.

Changing, inserting or deleting an event breaks the chain from that event on; the case row
keeps the newest hash, so cutting off the tail alone is caught too, and its state must be the
state its last event left it in. Cutting off the tail and setting the head back, or deleting
a whole case, is caught against an anchor (audittrail.anchors). Supplier decisions have
chains of their own (audittrail.decisions), checked by the same `verify`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from capaflow.audittrail.anchors import Anchor
from capaflow.audittrail.decisions import DecisionBreak, verify_decisions
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
    decisions: int = 0
    decision_breaks: tuple[DecisionBreak, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.decision_breaks


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
    # Every event records the state it left the case in (`to_state`): a state written
    # without an event does not match the last one.
    if events and events[-1].to_state != case.state:
        last = events[-1]
        return len(events), Break(
            case.id, last.seq, last.id,
            f"the case is in state '{case.state}', its last event left it in "
            f"'{last.to_state}': changed without an event",
        )
    return len(events), None


def _against_anchor(
    case: Case, events: list[CaseEvent], anchored: tuple[int, str]
) -> Break | None:
    """The chain must still pass through the head the anchor recorded."""
    assert case.id is not None
    count, head = anchored
    if count == 0:
        return None
    if len(events) < count:
        return Break(case.id, len(events) + 1, None,
                     f"the trail ends after {len(events)} events, the anchor recorded {count}: "
                     "its end was cut off")
    event = events[count - 1]
    if event.hash != head:
        return Break(case.id, count, event.id,
                     "does not match the head the anchor recorded: the trail was rewritten")
    return None


def verify(
    session: Session, *, case_id: int | None = None, anchor: Anchor | None = None
) -> Verification:
    """Recompute every chain (or one case's); report the first break of each broken case.

    Without `case_id` the supplier decision chains are checked too. With `anchor`, every case
    and supplier it names must still exist and still pass through its anchored head.
    """
    cases_query = select(Case).order_by(col(Case.id))
    if case_id is not None:
        cases_query = cases_query.where(Case.id == case_id)
    checked = events_seen = 0
    breaks: list[Break] = []
    found: set[int] = set()
    for case in session.exec(cases_query):
        events = list(
            session.exec(
                select(CaseEvent)
                .where(CaseEvent.case_id == case.id)
                .order_by(col(CaseEvent.seq), col(CaseEvent.id))
            )
        )
        seen, broken = _verify_case(case, events)
        assert case.id is not None
        if broken is None and anchor is not None and case.id in anchor.cases:
            broken = _against_anchor(case, events, anchor.cases[case.id])
        checked += 1
        events_seen += seen
        found.add(case.id)
        if broken is not None:
            breaks.append(broken)
    if anchor is not None:
        for gone in sorted(set(anchor.cases) - found):
            if case_id is None or gone == case_id:
                count = anchor.cases[gone][0]
                breaks.append(Break(gone, None, None,
                                    f"the case is gone: the anchor recorded it with {count} "
                                    "events"))
    if case_id is not None:
        return Verification(cases=checked, events=events_seen, breaks=tuple(breaks))
    decisions, decision_breaks = verify_decisions(session, anchor=anchor)
    return Verification(cases=checked, events=events_seen, breaks=tuple(breaks),
                        decisions=decisions, decision_breaks=decision_breaks)
