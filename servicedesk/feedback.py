"""From feedback to improvement (docs/architecture.md, "Service desk"): a low follow-up score
or a claim opens one corrective action linked to the request, the same category of complaint
N times in a calendar month opens one PDCA cycle for it, and a low dimension gives the person
who handled the request a training item the sweep chases.

Everything runs in the caller's transaction (the follow-up, the intake), through the engine:
a corrective action is a case of its own (8D without a supplier, or PDCA), with its own
deadlines, trail and notices. The request's trail says which action it opened or joined and
why, as an audited fact (`casework.engine.record_fact`): not a step of the service lifecycle,
so the request's state and clocks are untouched, yet hash-chained like every step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from capaflow.calendars import readable
from capaflow.casework.engine import StepResult, get_case, open_case, record_fact
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import meet_obligation, start_obligation, training_key
from capaflow.errors import Conflict, NotFound, check_text
from capaflow.models import Case, Customer, FollowUp, Notification, ServiceRequest, TrainingItem
from capaflow.models.db import build, row_values
from capaflow.scorecards.months import bounds, month_of
from capaflow.servicedesk.policy import DIMENSIONS, ServiceDesk

# The facts this module writes into trails (casework.engine.record_fact).
CORRECTIVE_ACTION = "corrective_action"  # on the request: the action it opened or joined
FEEDBACK = "feedback"  # on the action: a later low score of a request it already covers
COMPLAINT = "complaint"  # on a repeat-complaint PDCA: one more complaint of its month
TRAINING_DONE = "training_done"  # on the action: a training item it chases was done

# Who is told when feedback becomes corrective action: every piece of market feedback
# reaches management (docs/architecture.md, "Service desk").
MANAGEMENT = ["management", "service_manager"]


@dataclass
class Improvement:
    """What a piece of feedback led to: the corrective action (new or already open) and the
    training items it added."""

    corrective_case_id: int
    lifecycle: str
    opened: bool
    reason: str
    training: list[TrainingItem] = field(default_factory=list)
    complaints: int | None = None


def _severity(desk: ServiceDesk, request: ServiceRequest) -> str:
    """The corrective action's severity (the 8D scale) from the request's: the most severe
    rank is critical, the next major, the rest minor."""
    rank = desk.rank(request.severity)
    return "critical" if rank <= 1 else "major" if rank == 2 else "minor"


def _link(session: Session, request: ServiceRequest, corrective_case_id: int) -> None:
    request.corrective_case_id = corrective_case_id
    session.execute(update(ServiceRequest)
                    .where(col(ServiceRequest.case_id) == request.case_id)
                    .values(corrective_case_id=corrective_case_id))


def _notice(dedupe_key: str, case_id: int | None, kind: str, subject: str,
            lines: Sequence[str], now: datetime) -> Notification:
    return build(
        Notification, dedupe_key=dedupe_key, case_id=case_id, kind=kind, audience=MANAGEMENT,
        subject=f"[capaflow] {subject}"[:300], body="\n".join(lines), created_at=now,
        next_attempt_at=now,
    )


def _request_lines(case: Case, request: ServiceRequest, customer: Customer | None) -> list[str]:
    who = (f"customer {customer.code} ({customer.name}), tier {request.tier}"
           if customer is not None else f"tier {request.tier}")
    return [
        f"Service request #{case.id} \"{case.title}\" of {who}: {request.kind}, severity "
        f"{request.severity}, category {request.category}, channel {request.channel}, "
        f"handled by {case.owner or 'nobody yet'}.",
    ]


def _corrective_action(
    session: Session, *, desk: ServiceDesk, policy: DeadlinePolicy, case: Case,
    request: ServiceRequest, reason: str, problem: Sequence[str], actor: str, now: datetime,
) -> tuple[Improvement, StepResult]:
    """The request's corrective action: opened now, or (exactly once per request) the one it
    already has, which is told of the new feedback in its trail."""
    assert case.id is not None
    if request.corrective_case_id is not None:
        step = record_fact(
            session, case_id=request.corrective_case_id, action=FEEDBACK,
            fields={"request": case.id, "reason": reason}, note="\n".join(problem),
            actor=actor, now=now, policy=policy)
        return Improvement(corrective_case_id=request.corrective_case_id,
                           lifecycle=step.case.lifecycle, opened=False, reason=reason), step
    feedback = desk.section.feedback
    step = open_case(
        session, lifecycle=feedback.corrective_lifecycle,
        title=f"Request #{case.id}: {reason}: {case.title}"[:300], supplier_code=None,
        part=None, defect_code=None, severity=_severity(desk, request), complex_cause=False,
        owner=feedback.owner, team=None, problem="\n".join(problem), actor=actor, now=now,
        policy=policy, linked_case_id=case.id,
    )
    assert step.case.id is not None
    _link(session, request, step.case.id)
    session.add(_notice(
        f"service:{case.id}:corrective_action", step.case.id, CORRECTIVE_ACTION,
        f"Corrective action #{step.case.id} for request #{case.id}: {reason}",
        [f"{reason}: corrective action #{step.case.id} ({feedback.corrective_lifecycle}) "
         f"opened, owned by {feedback.owner}.", *problem], now))
    session.flush()
    return Improvement(corrective_case_id=step.case.id, lifecycle=feedback.corrective_lifecycle,
                       opened=True, reason=reason), step


def _tell_request(
    session: Session, *, policy: DeadlinePolicy, case_id: int, improvement: Improvement,
    actor: str, now: datetime,
) -> None:
    """The request's trail says which action it opened or joined, and why."""
    fields: dict[str, Any] = {
        "corrective_case": improvement.corrective_case_id,
        "lifecycle": improvement.lifecycle,
        "reason": improvement.reason,
        "opened": improvement.opened,
    }
    if improvement.training:
        fields["training"] = [t.id for t in improvement.training]
    if improvement.complaints is not None:
        fields["complaints_this_month"] = improvement.complaints
    verb = "opened" if improvement.opened else "joined"
    record_fact(session, case_id=case_id, action=CORRECTIVE_ACTION, fields=fields,
                note=f"{improvement.reason}: {verb} corrective action "
                     f"#{improvement.corrective_case_id}.",
                actor=actor, now=now, policy=policy)


def _scores(follow_up: FollowUp) -> str:
    parts = [f"overall {follow_up.overall}/5"]
    if follow_up.nps is not None:
        parts.append(f"NPS {follow_up.nps}/10")
    parts.extend(f"{name} {getattr(follow_up, name)}/5" for name in DIMENSIONS
                 if getattr(follow_up, name) is not None)
    return ", ".join(parts)


def _low_parts(desk: ServiceDesk, follow_up: FollowUp) -> tuple[list[str], list[str]]:
    """What made the score low: the texts, and the dimensions at or below the threshold."""
    feedback = desk.section.feedback
    low: list[str] = []
    if follow_up.overall is not None and follow_up.overall <= feedback.low_overall:
        low.append(f"overall {follow_up.overall}")
    dimensions = [name for name in DIMENSIONS
                  if (score := getattr(follow_up, name)) is not None
                  and score <= feedback.low_dimension]
    low.extend(f"{name} {getattr(follow_up, name)}" for name in dimensions)
    return low, dimensions


def act_on_follow_up(
    session: Session, *, desk: ServiceDesk, policy: DeadlinePolicy, case_id: int,
    follow_up: FollowUp, actor: str, now: datetime,
) -> Improvement | None:
    """A low score (docs/architecture.md, "Service desk"): the request's corrective action,
    opened once, and a training item per low dimension for the person who handled it."""
    if not follow_up.low_score:
        return None
    case = get_case(session, case_id)
    request = session.get(ServiceRequest, case_id)
    assert request is not None
    customer = session.get(Customer, request.customer_id)
    low, dimensions = _low_parts(desk, follow_up)
    reason = f"low score at follow-up ({', '.join(low)})"
    problem = [
        *_request_lines(case, request, customer),
        f"Follow-up ({follow_up.channel}, {follow_up.answered_by or '-'}) on "
        f"{readable(follow_up.answered_at)}: solved {'yes' if follow_up.solved else 'no'}; "
        f"{_scores(follow_up)}.",
        f"Comment: {follow_up.comment}" if follow_up.comment else "No comment.",
    ]
    improvement, step = _corrective_action(
        session, desk=desk, policy=policy, case=case, request=request, reason=reason,
        problem=problem, actor=actor, now=now)
    if case.owner is not None:
        improvement.training = [
            item for dimension in dimensions
            if (item := _training_item(session, desk=desk, policy=policy, case=case,
                                       action=step, dimension=dimension,
                                       score=int(getattr(follow_up, dimension)),
                                       follow_up=follow_up, now=now)) is not None
        ]
    _tell_request(session, policy=policy, case_id=case_id, improvement=improvement,
                  actor=actor, now=now)
    return improvement


def _training_item(
    session: Session, *, desk: ServiceDesk, policy: DeadlinePolicy, case: Case,
    action: StepResult, dimension: str, score: int, follow_up: FollowUp, now: datetime,
) -> TrainingItem | None:
    """A training item for the request's handler in `dimension`, due `training_due` later,
    with a deadline row on the corrective action so the one sweep reminds and escalates it.
    None when the same person already has one open for this request and dimension (a second
    low score on a reopened request does not owe the same training twice)."""
    assert case.id is not None and case.owner is not None
    already = session.exec(
        select(TrainingItem.id).where(TrainingItem.person == case.owner)
        .where(TrainingItem.case_id == case.id).where(TrainingItem.dimension == dimension)
        .where(col(TrainingItem.done_at).is_(None))
    ).first()
    if already is not None:
        return None
    due = policy.calendar.add(now, desk.section.feedback.training_due)
    title = f"Training for {case.owner}: {dimension} (request #{case.id} scored {score}/5)"
    item = TrainingItem(
        person=case.owner, case_id=case.id, dimension=dimension, title=title,
        created_at=now, due_at=due,
        detail={"corrective_case": action.case.id, "follow_up": follow_up.id, "score": score},
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    start_obligation(
        session, case=action.case, key=training_key(item.id), title=title,
        started_by=action.event.action, started_seq=action.event.seq, due_at=due, now=now,
        policy=policy,
    )
    return item


def act_on_claim(
    session: Session, *, desk: ServiceDesk, policy: DeadlinePolicy, case_id: int,
    actor: str, now: datetime,
) -> Improvement:
    """A claim for compensation, at intake: a matter for management, so a corrective action
    opens at once, linked to the request."""
    case = get_case(session, case_id)
    request = session.get(ServiceRequest, case_id)
    assert request is not None
    customer = session.get(Customer, request.customer_id)
    description = case.content.get("description")
    problem = [*_request_lines(case, request, customer),
               f"The customer's words: {description}" if description else "No description."]
    improvement, _step = _corrective_action(
        session, desk=desk, policy=policy, case=case, request=request,
        reason="claim for compensation", problem=problem, actor=actor, now=now)
    _tell_request(session, policy=policy, case_id=case_id, improvement=improvement,
                  actor=actor, now=now)
    return improvement


def _month_lock(session: Session, key: str) -> None:
    """Serialise the complaint intakes of one category and month on PostgreSQL, so two that
    race both count each other (without it each could count N-1 and neither open the cycle).
    SQLite needs none: the intake has written its request before it counts, so it holds the
    database's one write lock until it commits."""
    if session.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def _claim_month(session: Session, notice: Notification) -> bool:
    """Insert the cycle's notice unless its dedupe key (category and month) exists; whether
    this intake inserted it, and so opens the cycle."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Notification.__table__  # type: ignore[attr-defined]
    statement = (dialect.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
                 .returning(table.c.id))
    return len(session.connection().execute(statement, [row_values(notice)]).all()) == 1


def count_complaint(
    session: Session, *, desk: ServiceDesk, policy: DeadlinePolicy, case_id: int,
    actor: str, now: datetime,
) -> Improvement | None:
    """A complaint taken in: the `repeat_complaints`-th of its category in the calendar month
    (on [calendar]'s wall clock) opens one PDCA cycle for the category and month, and every
    complaint of it that month links to that cycle; fewer open nothing.

    One cycle, not N, even when intakes race: the cycle's notice to management carries the
    unique dedupe key "service:repeat_complaints:<category>:<month>" and is inserted first,
    with ON CONFLICT DO NOTHING. The intake that inserts it opens the cycle and writes the
    cycle's id on the notice; any other finds the notice and links to the cycle it names (a
    deterministic look-up, no second cycle). On PostgreSQL an advisory lock on the same key
    makes racing intakes count each other too (`_month_lock`).
    """
    case = get_case(session, case_id)
    request = session.get(ServiceRequest, case_id)
    assert request is not None
    if request.kind != "complaint":
        return None
    zone = policy.calendar.zone
    month = month_of(request.received_at, zone)
    key = f"service:repeat_complaints:{request.category}:{month}"
    _month_lock(session, key)
    start, end = bounds(month, zone)
    of_month = (select(ServiceRequest.case_id).where(ServiceRequest.kind == "complaint")
                .where(ServiceRequest.category == request.category)
                .where(col(ServiceRequest.received_at) >= start)
                .where(col(ServiceRequest.received_at) < end))
    count = int(session.exec(select(func.count()).select_from(of_month.subquery())).one())
    needed = desk.section.feedback.repeat_complaints
    if count < needed:
        return None
    title = desk.section.categories[request.category].title
    reason = (f"{count} complaints of category {request.category} in {month}"
              f" (the limit is {needed})")
    subject = f"Repeated complaints: {request.category} in {month}"
    claimed = _claim_month(session, _notice(key, None, "repeat_complaints", subject, [], now))
    if not claimed:
        cycle_id = session.exec(select(Notification.case_id)
                                .where(Notification.dedupe_key == key)).one()
        assert cycle_id is not None
        record_fact(session, case_id=cycle_id, action=COMPLAINT,
                    fields={"request": case_id, "complaints_this_month": count},
                    note=f"Complaint #{case_id} \"{case.title}\": {reason}.",
                    actor=actor, now=now, policy=policy)
        _link(session, request, cycle_id)
        improvement = Improvement(corrective_case_id=cycle_id, lifecycle="pdca", opened=False,
                                  reason=reason, complaints=count)
        _tell_request(session, policy=policy, case_id=case_id, improvement=improvement,
                      actor=actor, now=now)
        return improvement
    members = list(session.exec(
        select(Case, ServiceRequest).join(ServiceRequest,
                                          col(ServiceRequest.case_id) == col(Case.id))
        .where(col(Case.id).in_(of_month)).order_by(col(Case.id))))
    problem = [
        f"{count} complaints of category {request.category} ({title}) in {month}; "
        f"{needed} in a month open one improvement cycle:",
        *(f"  #{c.id} {readable(r.received_at)} customer "
          f"{_customer_code(session, r.customer_id)}: {c.title}" for c, r in members),
    ]
    opened = open_case(
        session, lifecycle="pdca", title=f"{subject} ({title})"[:300], supplier_code=None,
        part=None, defect_code=None, severity=_severity(desk, request), complex_cause=False,
        owner=desk.section.feedback.owner, team=None, problem="\n".join(problem), actor=actor,
        now=now, policy=policy, linked_case_id=case_id,
    )
    cycle_id = opened.case.id
    assert cycle_id is not None
    session.execute(update(Notification).where(col(Notification.dedupe_key) == key).values(
        case_id=cycle_id,
        body="\n".join([f"{reason}: PDCA cycle #{cycle_id} opened, owned by "
                        f"{desk.section.feedback.owner}.", *problem])))
    # The month's earlier complaints join the cycle too, unless one already has an action of
    # its own (a claim or a low score came first).
    session.execute(update(ServiceRequest)
                    .where(col(ServiceRequest.case_id).in_(of_month))
                    .where(col(ServiceRequest.corrective_case_id).is_(None))
                    .values(corrective_case_id=cycle_id))
    request.corrective_case_id = cycle_id
    improvement = Improvement(corrective_case_id=cycle_id, lifecycle="pdca", opened=True,
                              reason=reason, complaints=count)
    _tell_request(session, policy=policy, case_id=case_id, improvement=improvement,
                  actor=actor, now=now)
    return improvement


def _customer_code(session: Session, customer_id: int) -> str:
    customer = session.get(Customer, customer_id)
    return customer.code if customer is not None else "?"


def training_of(session: Session, person: str) -> list[TrainingItem]:
    """A person's training items, open and done, the most recent first."""
    return list(session.exec(select(TrainingItem).where(TrainingItem.person == person)
                             .order_by(col(TrainingItem.id).desc())))


def mark_training_done(
    session: Session, *, policy: DeadlinePolicy, item_id: int, note: str | None, actor: str,
    now: datetime,
) -> TrainingItem:
    """A training item done: recorded on the item, said in the corrective action's trail, and
    its deadline met there, so the sweep stops chasing it. NotFound for an unknown item,
    Conflict for one already done."""
    note_text = check_text("note", note, limit=4000)
    item = session.get(TrainingItem, item_id)
    if item is None:
        raise NotFound(f"training item {item_id} does not exist", field="training")
    if item.done_at is not None:
        raise Conflict(f"training item {item_id} was already done on {readable(item.done_at)}",
                       field="training")
    item.done_at = now
    item.detail = {**item.detail, "done_by": actor,
                   **({"note": note_text} if note_text else {})}
    session.add(item)
    session.flush()
    corrective = item.detail.get("corrective_case")
    if isinstance(corrective, int):
        step = record_fact(
            session, case_id=corrective, action=TRAINING_DONE,
            fields={"training": item_id, "person": item.person, "dimension": item.dimension},
            note=note_text, actor=actor, now=now, policy=policy)
        meet_obligation(session, case_id=corrective, key=training_key(item_id),
                        seq=step.event.seq, now=now)
    return item
