"""The sweep: acts on every deadline whose next action is due, once.

It asks the index (status, next_action_at) for due rows, so its cost follows the work due, not the
number of open cases (docs/architecture.md, "Rows, not timers"). Each deadline carries the moment
of its next action; the sweep acts, then moves that moment to the following step of the ladder, or
clears it:

- an obligation is reminded before it is due, then escalated level by level once overdue;
- a monthly review sends the owner the defect count since the countermeasure, then is met;
- the end of the effectiveness window closes the case (no recurrence in six months).

An audit finding is owed through a deadline row of its own on the audit (key "finding:<id>",
due at the finding's date), so it is reminded and escalated here like any obligation, the
notices naming the finding and its owner; closing the finding meets the row and ends them.
A service person's training item is owed the same way, on the corrective action a low score
opened (key "training:<id>", titled with the person and the dimension): its owner role is the
person to be trained, and marking the item done meets the row.

At-least-once out, exactly-once in: each notice has a unique dedupe key (deadline, stage), and
is inserted with ON CONFLICT DO NOTHING, so a sweep that runs twice, crashes half-way or runs
on two workers at once never queues the same notice twice. A batch is one transaction: a crash
loses the whole batch, which the next run redoes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.casework.engine import advance
from capaflow.config.policies import Policies, SweepSection, section_of
from capaflow.deadlines.policy import DeadlinePolicy, LadderStep
from capaflow.deadlines.schedule import finding_id_of, training_id_of
from capaflow.errors import CapaError
from capaflow.models import (
    AuditFinding,
    Case,
    Deadline,
    DefectEvent,
    Notification,
    Supplier,
    TrainingItem,
)
from capaflow.models.db import build, fetch, row_values, session_scope
from capaflow.models.deadline import PENDING
from capaflow.notifications import messages
from capaflow.notifications.routing import SUPPLIER_ROLES
from capaflow.statemachines import LIFECYCLES

_table = Deadline.__table__  # type: ignore[attr-defined]
_notifications = Notification.__table__  # type: ignore[attr-defined]

# A row is claimed by moving its next action on, only if nobody moved it first: of two
# sweepers that read the same row, one update matches and the other's finds nothing to do.
_MOVE_ON = (
    update(_table)
    .where(_table.c.id == bindparam("deadline_id"))
    .where(_table.c.status == PENDING)
    .where(_table.c.next_action_at == bindparam("read_next_action_at"))
    .values(
        next_action_at=bindparam("new_next_action_at"),
        escalation_level=bindparam("new_escalation_level"),
        reminded_at=bindparam("new_reminded_at"),
        status=bindparam("new_status"),
        closed_at=bindparam("new_closed_at"),
        met_on_time=bindparam("new_met_on_time"),
    )
)

# Which SweepReport counter each action adds to.
_COUNTED = {"reminder": "reminders", "escalation": "escalations", "review": "reviews"}


@dataclass
class SweepReport:
    reminders: int = 0
    escalations: int = 0
    reviews: int = 0
    closures: int = 0
    batches: int = 0
    actions: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "reminders": self.reminders,
            "escalations": self.escalations,
            "reviews": self.reviews,
            "closures": self.closures,
            "batches": self.batches,
            "actions": self.actions,
        }


def _due_rows(session: Session, now: datetime, batch_size: int) -> list[Deadline]:
    query = (
        select(_table)
        .where(_table.c.status == PENDING)
        .where(_table.c.next_action_at <= now)
        # Windows last among rows due at the same moment: the month's review goes out before
        # the window's end closes the case (and with it every review still pending).
        .order_by(_table.c.next_action_at, _table.c.kind == "window", _table.c.id)
        .limit(batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        # SKIP LOCKED: two workers sweeping at once claim disjoint rows. The conditional
        # update and the dedupe key are the second and third lines of defence.
        query = query.with_for_update(skip_locked=True)
    return fetch(session, Deadline, query, {})


def _insert_notices(session: Session, notices: Sequence[Notification]) -> int:
    """Insert notices, skipping any whose dedupe key exists; return how many were new."""
    if not notices:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(_notifications)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_notifications.c.id)
    )
    inserted = session.connection().execute(statement, [row_values(n) for n in notices])
    return len(inserted.all())


def _audience(roles: Sequence[str], case: Case) -> list[str]:
    # An internal case has nobody at a supplier to tell.
    return [r for r in roles if case.supplier_id is not None or r not in SUPPLIER_ROLES]


def _ours(roles: tuple[str, ...], case: Case) -> tuple[str, ...]:
    """The roles told of a deadline of `case`: all of them, or, for work that is ours alone
    (a meeting we organise, Lifecycle.notify_supplier), only our people: the owner, then
    the quality lead and the quality manager as the ladder climbs."""
    if LIFECYCLES[case.lifecycle].notify_supplier:
        return roles
    return tuple(r for r in roles if r not in SUPPLIER_ROLES)


def _notice(
    case: Case, deadline: Deadline, key: str, kind: str, level: int, roles: Sequence[str],
    text: tuple[str, str], now: datetime, extra: dict[str, Any] | None = None,
) -> Notification:
    subject, body = text
    return build(
        Notification,
        dedupe_key=f"deadline:{deadline.id}:{key}",
        case_id=case.id,
        deadline_id=deadline.id,
        kind=kind,
        escalation_level=level,
        audience=_audience(roles, case),
        subject=subject,
        body=body,
        extra=extra or {},
        created_at=now,
        next_attempt_at=now,
    )


def _findings(session: Session, rows: Sequence[Deadline]) -> dict[int, AuditFinding]:
    """The audit findings some of `rows` are the deadlines of, by id: one query for a batch."""
    wanted = {f for d in rows if (f := finding_id_of(d.key)) is not None}
    if not wanted:
        return {}
    found = session.exec(select(AuditFinding).where(col(AuditFinding.id).in_(wanted)))
    return {f.id: f for f in found if f.id is not None}


def _training(session: Session, rows: Sequence[Deadline]) -> dict[int, TrainingItem]:
    """The training items some of `rows` are the deadlines of, by id: one query for a batch."""
    wanted = {t for d in rows if (t := training_id_of(d.key)) is not None}
    if not wanted:
        return {}
    found = session.exec(select(TrainingItem).where(col(TrainingItem.id).in_(wanted)))
    return {t.id: t for t in found if t.id is not None}


def _ladder_position(
    ladder: Sequence[LadderStep], deadline: Deadline, now: datetime
) -> tuple[LadderStep | None, tuple[int, ...], datetime | None]:
    """The highest level now due (with the levels it jumps over) and when the next comes."""
    reached: LadderStep | None = None
    skipped: list[int] = []
    following: datetime | None = None
    for step in ladder:
        if step.level <= deadline.escalation_level:
            continue
        moment = deadline.due_at + step.after
        if moment <= now:
            if reached is not None:
                skipped.append(reached.level)
            reached = step
        else:
            following = moment
            break
    return reached, tuple(skipped), following


def _defects_since(session: Session, case: Case, since: datetime) -> int:
    if case.supplier_id is None:
        return 0
    return session.exec(
        select(func.coalesce(func.sum(DefectEvent.quantity), 0))
        .where(DefectEvent.supplier_id == case.supplier_id)
        .where(DefectEvent.part == case.part)
        .where(DefectEvent.defect_code == case.defect_code)
        .where(col(DefectEvent.occurred_at) >= since)
    ).one()


def _window_end(session: Session, case_id: int) -> datetime | None:
    return session.exec(
        select(Deadline.due_at)
        .where(Deadline.case_id == case_id)
        .where(Deadline.key == "effectiveness_window")
        .where(Deadline.status == PENDING)
    ).first()


# What the sweep plans for one row: the claim's parameters (_MOVE_ON), the notice to queue if
# the claim wins, and the line of the report.
_Planned = tuple[dict[str, Any], Notification | None, dict[str, Any]]


@dataclass(frozen=True)
class _Due:
    """One due deadline, with the case, supplier and audit finding its notice names."""

    deadline: Deadline
    case: Case
    supplier: Supplier | None
    finding: AuditFinding | None
    training: TrainingItem | None = None

    def unmoved(self) -> dict[str, Any]:
        """The claim of the row as it was read, changing nothing yet."""
        deadline = self.deadline
        return {
            "deadline_id": deadline.id,
            "read_next_action_at": deadline.next_action_at,
            "new_next_action_at": None,
            "new_escalation_level": deadline.escalation_level,
            "new_reminded_at": deadline.reminded_at,
            "new_status": PENDING,
            "new_closed_at": None,
            "new_met_on_time": None,
        }

    def action(self) -> dict[str, Any]:
        return {"case": self.case.id, "deadline": self.deadline.id, "key": self.deadline.key}


def _due_in_batch(session: Session, rows: Sequence[Deadline]) -> list[_Due]:
    """The rows with their cases, suppliers and findings: one query each for the batch."""
    case_ids = {d.case_id for d in rows}
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(case_ids)))}
    supplier_ids = {c.supplier_id for c in cases.values() if c.supplier_id is not None}
    suppliers = {
        s.id: s for s in session.exec(select(Supplier).where(col(Supplier.id).in_(supplier_ids)))
    }
    findings = _findings(session, rows)
    training = _training(session, rows)
    due = []
    for deadline in rows:
        case = cases[deadline.case_id]
        finding_id = finding_id_of(deadline.key)
        due.append(_Due(
            deadline=deadline, case=case,
            supplier=suppliers.get(case.supplier_id) if case.supplier_id else None,
            finding=findings.get(finding_id) if finding_id is not None else None,
            training=training.get(training_id_of(deadline.key) or 0),
        ))
    return due


def _review(session: Session, due: _Due, policy: DeadlinePolicy, now: datetime) -> _Planned:
    """The monthly review: the defects counted since the countermeasure, then the row is met."""
    deadline, case = due.deadline, due.case
    count = _defects_since(session, case, deadline.started_at)
    text = messages.review(case, due.supplier, deadline, count,
                           _window_end(session, deadline.case_id), policy.calendar.zone)
    notice = _notice(case, deadline, "review", "review", 0, policy.review_audience, text, now)
    move = due.unmoved()
    move.update(new_status="met", new_closed_at=now, new_met_on_time=True)
    action = due.action()
    action.update(action="review", defects_since=count)
    return move, notice, action


def _reminder_key(deadline: Deadline) -> str:
    """The dedupe key's stage for a reminder: "reminder" for a deadline's first, and for one
    owed again (a submission sent back, deadlines.schedule._undo_submission) a key naming the
    reminder before it, which the row still carries. Without it the second reminder's key
    would be the first's, and ON CONFLICT DO NOTHING would drop a notice the sweep reports
    (docs/architecture.md, "At-least-once out, exactly-once in": exactly once per reminder
    owed, not once per deadline). Two sweepers reading the same row still make the same key."""
    if deadline.reminded_at is None:
        return "reminder" + _round(deadline)
    return f"reminder:after:{deadline.reminded_at.isoformat()}" + _round(deadline)


def _round(deadline: Deadline) -> str:
    """The extension round in a notice's key: "" until the due time is first extended, so
    the keys of a deadline never extended stay as they were. An extended deadline's ladder
    starts again for its new due time (deadlines.clocks.extend); without the round in the key
    its first escalation would be dropped as a duplicate of the first round's."""
    return f":extension:{deadline.extensions}" if deadline.extensions else ""


def _obligation(due: _Due, policy: DeadlinePolicy, now: datetime) -> _Planned:
    """What an obligation is owed now: the escalation level reached, else a reminder before
    it is due, else nothing (overdue with no level left to reach)."""
    deadline, case, supplier, finding = due.deadline, due.case, due.supplier, due.finding
    move, action = due.unmoved(), due.action()
    # The finding's owner is named in the notice's extra: routing sends the "owner"
    # role to them rather than to the audit case's owner.
    about = {"finding_id": finding.id, "owner": finding.owner} if finding else None
    if finding is not None:
        action["finding"] = finding.id
    if due.training is not None:
        # Likewise the person to be trained, not the corrective action's owner.
        about = {"training_id": due.training.id, "owner": due.training.person}
        action.update(training=due.training.id, person=due.training.person,
                      dimension=due.training.dimension)
    plan = policy.plan_for(case.lifecycle)
    reached, skipped, following = _ladder_position(plan.ladder, deadline, now)
    if reached is not None:
        notify = _ours(reached.notify, case)
        if finding is not None:
            text = messages.finding_escalation(case, supplier, deadline, finding, reached.level,
                                               skipped, notify, now, policy.calendar.zone)
        else:
            text = messages.escalation(case, supplier, deadline, reached.level, skipped,
                                       notify, now, policy.calendar.zone)
        notice = _notice(case, deadline, f"level:{reached.level}{_round(deadline)}", "escalation",
                         reached.level, notify, text, now, about)
        move.update(new_escalation_level=reached.level, new_next_action_at=following)
        action.update(action="escalation", level=reached.level, skipped=list(skipped))
        return move, notice, action
    if now < deadline.due_at:
        if finding is not None:
            text = messages.finding_reminder(case, supplier, deadline, finding, now,
                                             policy.calendar.zone)
        else:
            text = messages.reminder(case, supplier, deadline, now, policy.calendar.zone)
        notice = _notice(case, deadline, _reminder_key(deadline), "reminder", 0,
                         _ours(plan.reminder_audience, case), text, now, about)
        first = plan.ladder[0].after if plan.ladder else None
        move.update(new_reminded_at=now,
                    new_next_action_at=deadline.due_at + first if first is not None else None)
        action.update(action="reminder")
        return move, notice, action
    # Overdue with no ladder level left to reach: nothing more to send.
    move.update(new_next_action_at=following)
    action.update(action="none")
    return move, None, action


def _claim_and_queue(session: Session, planned: Sequence[_Planned], report: SweepReport) -> None:
    """Claim the rows, count what was done on the claimed ones and queue their notices."""
    connection = session.connection()
    claimed: list[Notification] = []
    for move, notice, action in planned:
        # The claim, row by row: on SQLite the rows were read outside a transaction, so a
        # step (meeting the deadline) or another sweeper may have moved a row since. Only a
        # row this update still finds as it was read is ours, and only its notice is sent.
        if connection.execute(_MOVE_ON, move).rowcount != 1:
            continue
        report.actions.append(action)
        counter = _COUNTED.get(action["action"])
        if counter is not None:
            setattr(report, counter, getattr(report, counter) + 1)
        if notice is not None:
            claimed.append(notice)
    _insert_notices(session, claimed)


def _sweep_batch(
    session: Session, *, now: datetime, policy: DeadlinePolicy, batch_size: int,
    report: SweepReport, seen: set[int],
) -> tuple[int, list[tuple[Deadline, str]]]:
    """Remind, escalate and review one batch; return how many rows were new to this run and
    the windows that ended with their cases' lifecycles (closed afterwards, each in its own
    transaction)."""
    rows = [d for d in _due_rows(session, now, batch_size) if d.id not in seen]
    seen.update(d.id for d in rows if d.id is not None)
    if not rows:
        return 0, []
    planned: list[_Planned] = []
    windows: list[tuple[Deadline, str]] = []
    for due in _due_in_batch(session, rows):
        if due.deadline.kind == "window":
            windows.append((due.deadline, due.case.lifecycle))
        elif due.deadline.kind == "review":
            planned.append(_review(session, due, policy, now))
        else:
            planned.append(_obligation(due, policy, now))
    _claim_and_queue(session, planned, report)
    return len(rows), windows


def _close_case(
    engine: Engine, deadline: Deadline, lifecycle: str, *, now: datetime,
    policy: DeadlinePolicy, actor: str, report: SweepReport,
) -> None:
    """Close a case whose window ended: a step of its own, through the engine, saying what
    its lifecycle says of that window (Lifecycle.timed_close)."""
    action: dict[str, Any] = {"case": deadline.case_id, "deadline": deadline.id,
                              "key": deadline.key}
    note, fields = LIFECYCLES[lifecycle].timed_close.get(
        deadline.key, (f"{deadline.title}: the window ended.", {}))
    try:
        with session_scope(engine) as session:
            result = advance(
                session, case_id=deadline.case_id, trigger="close", fields=dict(fields),
                note=note, actor=actor, now=now, policy=policy, stepping_service=True,
            )
    except CapaError as refusal:
        # Someone changed the case at that very moment (a recurrence reopening it, say).
        # Nothing was written; the row is still due and the next sweep looks again.
        action.update(action="close_refused", reason=refusal.message)
    else:
        action.update(action="closed", event=result.event.seq)
        report.closures += 1
    report.actions.append(action)


def sweep(
    engine: Engine,
    *,
    now: datetime,
    policy: DeadlinePolicy,
    batch_size: int = 500,
    actor: str = "capaflow",
    max_batches: int | None = None,
) -> SweepReport:
    """Act on every deadline due at `now`, in batches of one transaction each."""
    report = SweepReport()
    # Rows this run already handled: a row whose claim another sweeper won (or a window
    # whose close was refused) is still due, and must not make this run spin on it.
    seen: set[int] = set()
    while max_batches is None or report.batches < max_batches:
        with session_scope(engine) as session:
            handled, windows = _sweep_batch(session, now=now, policy=policy,
                                            batch_size=batch_size, report=report, seen=seen)
        for window, lifecycle in windows:
            _close_case(engine, window, lifecycle, now=now, policy=policy, actor=actor,
                        report=report)
        if handled == 0:
            break
        report.batches += 1
    return report


# config `[sweep]`: deadlines per transaction, and who the audit trail names for the sweep.
SweepSettings = SweepSection


def sweep_settings(policies: Policies | dict[str, Any]) -> SweepSettings:
    """`[sweep]` of the policies, typed: a bad value names its key (exit 2)."""
    return section_of(policies, "sweep", SweepSettings)
