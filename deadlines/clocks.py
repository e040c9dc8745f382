"""Clocks that stop and restart: a deadline put on hold, resumed, or retargeted.

A service request waiting on its customer is put on hold (docs/architecture.md, "Rows, not
timers"): its open deadlines stop (status `on_hold`, no next action, so the sweep leaves them
alone), and on resume the working time spent on hold, counted on the request's own hours, is
added back to each due time. Escalating the severity retargets the clocks still running to
the new, tighter targets. The rows are changed in the caller's transaction, like every other
deadline rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session

from capaflow.calendars import BusinessCalendar, Duration
from capaflow.calendars.hours import WorkingHours
from capaflow.deadlines.policy import NoticePlan
from capaflow.deadlines.schedule import open_deadlines
from capaflow.models import Deadline
from capaflow.models.deadline import ON_HOLD, PENDING

_table = Deadline.__table__  # type: ignore[attr-defined]
_UPDATE_CLOCK = (
    update(_table)
    .where(_table.c.id == bindparam("deadline_id"))
    .values(
        status=bindparam("new_status"),
        due_at=bindparam("new_due_at"),
        next_action_at=bindparam("new_next_action_at"),
        hold_started_at=bindparam("new_hold_started_at"),
        held_seconds=bindparam("new_held_seconds"),
    )
)


def _write(session: Session, deadlines: Sequence[Deadline]) -> None:
    if not deadlines:
        return
    session.connection().execute(_UPDATE_CLOCK, [
        {
            "deadline_id": d.id,
            "new_status": d.status,
            "new_due_at": d.due_at,
            "new_next_action_at": d.next_action_at,
            "new_hold_started_at": d.hold_started_at,
            "new_held_seconds": d.held_seconds,
        }
        for d in deadlines
    ])


def next_action(deadline: Deadline, plan: NoticePlan, now: datetime) -> datetime | None:
    """When the sweep next has something to do for a running deadline whose due time moved:
    the reminder if it was not sent and is still ahead (or due now), else the next level of
    the ladder not yet reached, else nothing."""
    if deadline.kind != "obligation":
        return deadline.due_at
    if deadline.reminded_at is None and deadline.escalation_level == 0 and now < deadline.due_at:
        remind = plan.reminder_at(deadline.started_at, deadline.due_at)
        if remind is not None:
            return max(remind, now)
    for step in plan.ladder:
        if step.level > deadline.escalation_level:
            return deadline.due_at + step.after
    return None if plan.ladder else deadline.due_at


def hold(session: Session, *, case_id: int, now: datetime) -> list[Deadline]:
    """Stop every running deadline of the case; the ones stopped."""
    stopped = [d for d in open_deadlines(session, case_id) if d.status == PENDING]
    for deadline in stopped:
        deadline.status = ON_HOLD
        deadline.hold_started_at = now
        deadline.next_action_at = None
    _write(session, stopped)
    return stopped


def resume(
    session: Session, *, case_id: int, now: datetime, hours: WorkingHours, plan: NoticePlan,
) -> list[Deadline]:
    """Restart the case's stopped deadlines, each due later by the working time it was held."""
    restarted = [d for d in open_deadlines(session, case_id) if d.status == ON_HOLD]
    for deadline in restarted:
        started = deadline.hold_started_at or now
        held = hours.elapsed(started, now)
        deadline.held_seconds += int(held.total_seconds())
        deadline.due_at = hours.add(deadline.due_at, held)
        deadline.status = PENDING
        deadline.hold_started_at = None
        deadline.next_action_at = next_action(deadline, plan, now)
    _write(session, restarted)
    return restarted


def retarget(
    session: Session,
    *,
    case_id: int,
    now: datetime,
    hours: WorkingHours,
    plan: NoticePlan,
    target_of: Callable[[Deadline], timedelta | None],
) -> list[Deadline]:
    """Move the due time of each open deadline `target_of` gives a new target to: its start
    plus that working time plus the time it was already held, never later than it was (a
    tighter target tightens, a looser one changes nothing)."""
    moved = []
    for deadline in open_deadlines(session, case_id):
        target = target_of(deadline)
        if target is None:
            continue
        due = hours.add(deadline.started_at, target + timedelta(seconds=deadline.held_seconds))
        if due >= deadline.due_at:
            continue
        deadline.due_at = due
        if deadline.status == PENDING:
            deadline.next_action_at = next_action(deadline, plan, now)
        moved.append(deadline)
    _write(session, moved)
    return moved


def retime(deadline: Deadline, target: Duration, calendar: BusinessCalendar) -> datetime:
    """The due time of `deadline` for a new target (an edited severity or complexity),
    counted from the moment its clock started, as the step that started it counted it, plus
    any time it spent on hold."""
    return calendar.add(deadline.started_at, target) + timedelta(seconds=deadline.held_seconds)


def move_due(
    session: Session, *, moves: Sequence[tuple[Deadline, datetime]], plan: NoticePlan,
    now: datetime,
) -> None:
    """Give each deadline its new due time; a running one's next action follows it, keeping
    the reminder and ladder levels already sent (the obligation has not been extended)."""
    moved = []
    for deadline, due in moves:
        deadline.due_at = due
        if deadline.status == PENDING:
            deadline.next_action_at = next_action(deadline, plan, now)
        moved.append(deadline)
    _write(session, moved)


def extend(
    session: Session, *, deadline: Deadline, due_at: datetime, now: datetime, plan: NoticePlan,
) -> Deadline:
    """Move an open obligation's due time to `due_at` (an approved extension, or the lead's
    own), and start its reminder and escalation ladder again for the new due time: the
    levels reached for the old one are void, so the supplier's executive is not told of an
    obligation that is no longer overdue (docs/architecture.md, "Edits and extensions").

    The round of extensions is counted on the row, and the sweep's notice keys name it, so
    the new round's notices are queued, not dropped as duplicates of the first round's.
    """
    deadline.due_at = due_at
    deadline.escalation_level = 0
    deadline.extensions += 1
    if deadline.status == PENDING:
        remind = plan.reminder_at(now, due_at) if deadline.kind == "obligation" else None
        first = plan.ladder[0].after if plan.ladder and deadline.kind == "obligation" else None
        deadline.next_action_at = remind or (due_at + first if first is not None else due_at)
    session.connection().execute(
        update(_table).where(_table.c.id == deadline.id).values(
            due_at=deadline.due_at, escalation_level=0, extensions=deadline.extensions,
            next_action_at=deadline.next_action_at,
        )
    )
    return deadline


def status_of_clock(deadline: Deadline) -> str:
    """How a request's SLA clock stands for a reader: running, on hold, met or cancelled."""
    if deadline.status == ON_HOLD:
        return "on_hold"
    if deadline.status == PENDING:
        return "running"
    return deadline.status
