"""The rules a step applies to a case's deadlines: meet, start, cancel, and undo on reject.

A deadline belongs to the milestone that meets it, not to a state: the long-term
countermeasure's clock starts when the root cause is found and is met by
`implement_countermeasure`, whatever states lie between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from capaflow.calendars import Duration
from capaflow.deadlines.policy import DeadlinePolicy, Milestone
from capaflow.models import Case, Deadline
from capaflow.models.db import build, fetch, insert_rows
from capaflow.models.deadline import CANCELLED, MET, ON_HOLD, PENDING

# Steps after which nothing the case owed is still owed.
_CANCEL_ALL = ("reopen", "cancel")
# The deadline of an audit finding is keyed by the finding: "finding:<id>".
FINDING_KEY_PREFIX = "finding:"
# The deadline of a service person's training item is keyed by the item: "training:<id>", on
# the corrective action the low score opened (docs/architecture.md, "Service desk").
TRAINING_KEY_PREFIX = "training:"


@dataclass
class DeadlineChanges:
    met: list[Deadline] = field(default_factory=list)
    started: list[Deadline] = field(default_factory=list)
    cancelled: list[Deadline] = field(default_factory=list)
    reinstated: list[Deadline] = field(default_factory=list)
    # Everything the case still owes after the step, soonest first.
    owed: list[Deadline] = field(default_factory=list)


_table = Deadline.__table__  # type: ignore[attr-defined]
_OPEN_DEADLINES = (
    select(_table)
    .where(_table.c.case_id == bindparam("case_id"))
    .where(_table.c.status.in_((PENDING, ON_HOLD)))
    .order_by(_table.c.due_at, _table.c.id)
)
# Built once; a step closes or reinstates its deadlines with one executemany of this.
_UPDATE_DEADLINE = (
    update(_table)
    .where(_table.c.id == bindparam("deadline_id"))
    .values(
        status=bindparam("new_status"),
        closed_at=bindparam("new_closed_at"),
        closed_by_seq=bindparam("new_closed_by_seq"),
        met_on_time=bindparam("new_met_on_time"),
        next_action_at=bindparam("new_next_action_at"),
    )
)


def open_deadlines(session: Session, case_id: int) -> list[Deadline]:
    """What the case owes now, detached: a step changes them in memory and writes them itself."""
    return fetch(session, Deadline, _OPEN_DEADLINES, {"case_id": case_id})


def _write(session: Session, changes: DeadlineChanges) -> None:
    changed = [*changes.met, *changes.cancelled, *changes.reinstated]
    if changed:
        session.connection().execute(
            _UPDATE_DEADLINE,
            [
                {
                    "deadline_id": d.id,
                    "new_status": d.status,
                    "new_closed_at": d.closed_at,
                    "new_closed_by_seq": d.closed_by_seq,
                    "new_met_on_time": d.met_on_time,
                    "new_next_action_at": d.next_action_at,
                }
                for d in changed
            ],
        )
    insert_rows(session, changes.started)


def _close(deadline: Deadline, status: str, now: datetime, seq: int) -> None:
    deadline.status = status
    deadline.closed_at = now
    deadline.closed_by_seq = seq
    deadline.next_action_at = None
    if status == MET:
        deadline.met_on_time = now <= deadline.due_at


def _start(
    case: Case, milestone: Milestone, step: str, seq: int, now: datetime, policy: DeadlinePolicy
) -> list[Deadline]:
    due = policy.calendar.add(now, milestone.due_for(case.severity, case.complexity))
    if milestone.every is None:
        moments = [due]
    else:
        # Each review counts from the anchor (not from the previous review), so monthly
        # reviews from 31 January land on the last day of each shorter month, not drifting.
        moments, k = [], 1
        while True:
            moment = policy.calendar.add(
                now, Duration(milestone.every.amount * k, milestone.every.unit)
            )
            if moment > due or k > 1000:
                break
            moments.append(moment)
            k += 1
    assert case.id is not None
    return [
        build(
            Deadline,
            case_id=case.id,
            key=milestone.key,
            kind=milestone.kind,
            title=milestone.title,
            sequence=n,
            started_by=step,
            started_seq=seq,
            met_by=list(milestone.met_by),
            started_at=now,
            due_at=moment,
            next_action_at=policy.first_action_at(milestone.kind, now, moment, case.lifecycle),
        )
        for n, moment in enumerate(moments, start=1)
    ]


def apply_step(
    session: Session,
    *,
    case: Case,
    step: str,
    seq: int,
    now: datetime,
    policy: DeadlinePolicy,
    final: bool,
    undone_seq: int | None = None,
    revoked_seq: int | None = None,
) -> DeadlineChanges:
    """Apply `step` (recorded as audit event `seq`) to the case's deadlines.

    `undone_seq`: for `reject`, the event of the submission sent back; what it met is owed
    again (with its original due time, so it may now be late) and what it started is void.
    `revoked_seq`: for a reopen of a closed case, the close it revokes; what that close met
    (the effectiveness window) did not hold after all.
    """
    assert case.id is not None
    changes = DeadlineChanges()
    pending = open_deadlines(session, case.id)
    if undone_seq is not None:
        _undo_submission(session, case, undone_seq, pending, changes, now, seq, policy)
    else:
        _close_what_the_step_ends(step, pending, changes, now, seq)
    if revoked_seq is not None:
        _revoke_closure(session, case.id, revoked_seq, changes, now, seq)
    for milestone in policy.started_by(case.lifecycle, step):
        changes.started.extend(_start(case, milestone, step, seq, now, policy))
    if final:
        done = {id(d) for d in (*changes.met, *changes.cancelled)}
        for deadline in pending:
            if id(deadline) not in done:
                _close(deadline, CANCELLED, now, seq)
                changes.cancelled.append(deadline)
    _write(session, changes)
    closed = {id(d) for d in (*changes.met, *changes.cancelled)}
    changes.owed = sorted(
        [d for d in pending if id(d) not in closed] + changes.reinstated + changes.started,
        key=lambda d: d.due_at,
    )
    return changes


def _met_by(session: Session, case_id: int, seq: int) -> list[Deadline]:
    """The deadlines step `seq` met, detached: the caller changes them and writes them."""
    found = list(session.exec(
        select(Deadline)
        .where(Deadline.case_id == case_id)
        .where(Deadline.status == MET)
        .where(Deadline.closed_by_seq == seq)
    ))
    for deadline in found:
        session.expunge(deadline)
    return found


def _undo_submission(
    session: Session, case: Case, undone_seq: int, pending: list[Deadline],
    changes: DeadlineChanges, now: datetime, seq: int, policy: DeadlinePolicy,
) -> None:
    """A submission sent back: what it started is void, what it met is owed again."""
    assert case.id is not None
    for deadline in pending:
        if deadline.started_seq == undone_seq:
            _close(deadline, CANCELLED, now, seq)
            changes.cancelled.append(deadline)
    for deadline in _met_by(session, case.id, undone_seq):
        deadline.status = PENDING
        deadline.closed_at = None
        deadline.closed_by_seq = None
        deadline.met_on_time = None
        # Owed again from its start: reminded before it is due, like a new deadline of its
        # lifecycle (the sweep escalates instead if that moment has passed). reminded_at keeps
        # the earlier round's reminder: the sweep keys the new one by it (casework/sweep.py,
        # _reminder_key), so it is queued, not dropped as a duplicate of the first.
        deadline.next_action_at = policy.first_action_at(
            deadline.kind, deadline.started_at, deadline.due_at, case.lifecycle
        )
        changes.reinstated.append(deadline)


def _revoke_closure(
    session: Session, case_id: int, revoked_seq: int, changes: DeadlineChanges, now: datetime,
    seq: int,
) -> None:
    """A close revoked by a recurrence that occurred inside the window it ended: the window
    (and whatever else the close met) is cancelled by the reopen, as a reopen before the close
    cancels it, so the case's deadlines read the same whichever came first."""
    for deadline in _met_by(session, case_id, revoked_seq):
        _close(deadline, CANCELLED, now, seq)
        deadline.met_on_time = None
        changes.cancelled.append(deadline)


def _close_what_the_step_ends(
    step: str, pending: list[Deadline], changes: DeadlineChanges, now: datetime, seq: int
) -> None:
    """A cancel or close ends everything still owed; any other step meets what it names."""
    for deadline in pending:
        if step in _CANCEL_ALL:
            _close(deadline, CANCELLED, now, seq)
            changes.cancelled.append(deadline)
        elif step in deadline.met_by:
            _close(deadline, MET, now, seq)
            changes.met.append(deadline)


def finding_key(finding_id: int) -> str:
    """The key of an audit finding's deadline on its audit case."""
    return f"{FINDING_KEY_PREFIX}{finding_id}"


def finding_id_of(key: str) -> int | None:
    """The finding a deadline key names, or None for a milestone's key."""
    rest = key.removeprefix(FINDING_KEY_PREFIX)
    return int(rest) if rest != key and rest.isdigit() else None


def training_key(item_id: int) -> str:
    """The key of a training item's deadline on its corrective action."""
    return f"{TRAINING_KEY_PREFIX}{item_id}"


def training_id_of(key: str) -> int | None:
    """The training item a deadline key names, or None for any other key."""
    rest = key.removeprefix(TRAINING_KEY_PREFIX)
    return int(rest) if rest != key and rest.isdigit() else None


def start_obligation(
    session: Session,
    *,
    case: Case,
    key: str,
    title: str,
    started_by: str,
    started_seq: int,
    due_at: datetime,
    now: datetime,
    policy: DeadlinePolicy,
    met_by: Sequence[str] = (),
    kind: str = "obligation",
) -> Deadline:
    """An obligation no milestone of the policy describes, due when the step that raised it
    says (one per audit finding, due at the finding's own date).

    It is a deadline row like any other, so the one sweep reminds and escalates it, with the
    same dedupe keys and ladder. An audit finding's is met by no step by name (`met_by`
    stays empty: closing one finding must not meet the others'); `meet_obligation` does, and a
    cancelled or closed case cancels it as it cancels everything still owed. A service
    request's SLA clocks name the steps that meet them (`met_by`); its follow-up is a
    "window" the sweep closes (`kind`).
    """
    assert case.id is not None
    deadline = build(
        Deadline,
        case_id=case.id,
        key=key,
        kind=kind,
        title=title[:200],
        sequence=1,
        started_by=started_by,
        started_seq=started_seq,
        met_by=list(met_by),
        started_at=now,
        due_at=due_at,
        next_action_at=policy.first_action_at(kind, now, due_at, case.lifecycle),
    )
    insert_rows(session, [deadline])
    return deadline


def meet_obligation(
    session: Session, *, case_id: int, key: str, seq: int, now: datetime
) -> Deadline | None:
    """Meet the open obligation `key` of a case as step `seq`; None if there is none open.

    Status and next action change in the step's transaction, so a sweep that read the row
    before finds it no longer pending when it tries to claim it, and sends nothing.
    """
    found = [d for d in open_deadlines(session, case_id) if d.key == key]
    if not found:
        return None
    changes = DeadlineChanges()
    for deadline in found:
        _close(deadline, MET, now, seq)
        changes.met.append(deadline)
    _write(session, changes)
    return found[0]


def cancel_obligations(
    session: Session, *, case_id: int, keys: tuple[str, ...], seq: int, now: datetime
) -> list[Deadline]:
    """Cancel (never delete) the case's open deadlines of these keys as step `seq`: what the
    case no longer owes (an exempt defect's containment, parts owed under another class)."""
    changes = DeadlineChanges()
    for deadline in open_deadlines(session, case_id):
        if deadline.key in keys:
            _close(deadline, CANCELLED, now, seq)
            changes.cancelled.append(deadline)
    _write(session, changes)
    return changes.cancelled
