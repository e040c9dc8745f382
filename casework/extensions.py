"""More time on an open obligation: a supplier asks, the quality lead approves or refuses as
a signed decision, or extends directly (docs/architecture.md, "Edits and extensions").

Each request is a row (models.extension); each request and decision is an event in the case's
hash chain, with the old and new due time and, for a decision, the signature. Approval moves
the deadline's due time and starts its reminder and escalation ladder again for it
(deadlines.clocks.extend), so the ladder does not climb to the supplier's executive over time
the lead granted. Refusal leaves the deadline as it was. Either way the supplier is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from capaflow.accounts.signatures import (
    APPROVE_EXTENSION,
    EXTEND_DEADLINE,
    REFUSE_EXTENSION,
    sign,
)
from capaflow.accounts.tokens import Principal
from capaflow.calendars import BusinessCalendar, isoformat, parse_instant, readable
from capaflow.casework.edits import check_reason
from capaflow.casework.engine import StepResult, record_fact
from capaflow.deadlines.clocks import extend
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import open_deadlines
from capaflow.errors import BadInput, Conflict, NotFound, case_not_found, check_id
from capaflow.models import Case, Deadline, DeadlineExtension
from capaflow.models.db import insert_rows
from capaflow.models.deadline import PENDING
from capaflow.models.extension import APPROVED, GRANTED, OPEN, REFUSED
from capaflow.models.queries import read_case
from capaflow.notifications import outbox
from capaflow.statemachines import LIFECYCLES

# The furthest an obligation is extended in one go, from its current due time: a longer delay
# is a new plan for the case, which the lead makes by editing it, not a request for time.
MAX_EXTENSION = timedelta(days=60)
# The audit actions: not triggers of any lifecycle.
REQUESTED = "extension_requested"
DECIDED = {True: "extension_approved", False: "extension_refused"}
EXTENDED = "deadline_extended"


@dataclass(frozen=True)
class ExtensionResult:
    extension: DeadlineExtension
    deadline: Deadline
    step: StepResult


def parse_until(text: str, calendar: BusinessCalendar) -> datetime:
    """The date asked for: an ISO-8601 time with offset, or a day (YYYY-MM-DD, as a date field
    of a form gives it), meaning the end of that day in the calendar's zone."""
    value = text.strip() if isinstance(text, str) else ""
    if len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise BadInput(f"until: {text!r} is not a date (YYYY-MM-DD) or an ISO-8601 time "
                           "with offset", field="until") from None
        end = datetime.combine(day, time(23, 59), tzinfo=calendar.zone)
        return end.astimezone(UTC)
    try:
        return parse_instant(value, field="until")
    except ValueError as exc:
        raise BadInput(str(exc), field="until") from None


def _open_case(session: Session, case_id: int, principal: Principal) -> Case:
    case = read_case(session, case_id)
    if case is None or (principal.is_supplier and case.supplier_id != principal.supplier_id):
        raise case_not_found(case_id)
    if case.state in LIFECYCLES[case.lifecycle].final:
        raise Conflict(f"state: case {case_id} is {case.state}; nothing on it is extended",
                       field="state")
    return case


def _obligation(session: Session, case: Case, step: str) -> Deadline:
    """The case's running obligation `step` (a deadline key such as
    long_term_countermeasure); NotFound (field "step") naming the ones there are."""
    assert case.id is not None
    running = [d for d in open_deadlines(session, case.id)
               if d.status == PENDING and d.kind == "obligation"]
    for deadline in running:
        if deadline.key == step:
            return deadline
    there = ", ".join(d.key for d in running) or "none"
    raise NotFound(f"step: case {case.id} owes no open obligation '{step}' (open: {there})",
                   field="step")


def _check_until(deadline: Deadline, until: datetime) -> datetime:
    if until.tzinfo is None:
        raise BadInput("until: give the date with its offset (e.g. +00:00)", field="until")
    if until <= deadline.due_at:
        raise BadInput(f"until: must be after the current due time {isoformat(deadline.due_at)}",
                       field="until")
    if until > deadline.due_at + MAX_EXTENSION:
        raise BadInput(f"until: at most {MAX_EXTENSION.days} days after the current due time "
                       f"{isoformat(deadline.due_at)}", field="until")
    return until


def _open_request(session: Session, deadline_id: int) -> DeadlineExtension | None:
    return session.exec(
        select(DeadlineExtension).where(DeadlineExtension.open_deadline_id == deadline_id)
    ).first()


def request_extension(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    step: str,
    until: datetime,
    reason: str | None,
    now: datetime,
    policy: DeadlinePolicy,
) -> ExtensionResult:
    """A supplier (or the team, for it) asks for more time on the obligation `step` of an
    open case, until `until`, for `reason`. Refused with nothing written: a case not visible
    to the principal (NotFound), a closed case (Conflict "state"), no such open obligation
    (NotFound "step"), a date not after the due time or more than MAX_EXTENSION later
    (BadInput "until"), no reason, or a request already open on it (Conflict "step")."""
    case = _open_case(session, case_id, principal)
    deadline = _obligation(session, case, step)
    assert deadline.id is not None and case.id is not None
    _check_until(deadline, until)
    reason_text = check_reason(reason)
    if _open_request(session, deadline.id) is not None:
        raise Conflict(f"step: a request for more time on '{step}' is already waiting for the "
                       "lead's decision", field="step")
    extension = DeadlineExtension(
        case_id=case.id, deadline_id=deadline.id, open_deadline_id=deadline.id, status=OPEN,
        requested_by=principal.actor, requested_at=now, reason=reason_text,
        due_before=deadline.due_at, proposed_due=until,
    )
    session.add(extension)
    session.flush()
    result = record_fact(
        session, case_id=case.id, action=REQUESTED,
        fields={"extension": extension.id, "deadline": deadline.id, "step": deadline.key,
                "due": isoformat(deadline.due_at), "proposed_due": isoformat(until),
                "reason": reason_text},
        note=None, actor=principal.actor, now=now, policy=policy, tell_owner=False,
    )
    zone = policy.calendar.zone
    insert_rows(session, [outbox.case_changed(
        case=result.case, event=result.event, supplier=result.supplier,
        kind="extension_requested",
        headline=f"more time asked on {deadline.title}",
        lines=[f"Due {readable(deadline.due_at, zone)}; asked until {readable(until, zone)}",
               f"Reason: {reason_text}"],
        tell_supplier=False, now=now, zone=zone,
    )], with_ids=False)
    return ExtensionResult(extension=extension, deadline=deadline, step=result)


def get_extension(session: Session, extension_id: int) -> DeadlineExtension:
    check_id("extension", extension_id)
    found = session.get(DeadlineExtension, extension_id)
    if found is None:
        raise NotFound(f"extension request {extension_id} does not exist", field="extension")
    return found


def decide_extension(
    session: Session,
    *,
    principal: Principal,
    extension_id: int,
    approve: bool,
    reason: str | None,
    password: str | None,
    now: datetime,
    policy: DeadlinePolicy,
) -> ExtensionResult:
    """The lead's signed decision on a request: approval moves the due time to the one asked
    for and restarts the ladder; refusal leaves it. Refused with nothing written: no such
    request (NotFound), one already decided (Conflict "extension"), its case closed
    (Conflict "state"), its obligation met or cancelled meanwhile (Conflict "extension", on
    approval), no reason, a signer who may not sign or a wrong password."""
    extension = get_extension(session, extension_id)
    if extension.status != OPEN:
        raise Conflict(f"extension: request {extension_id} was already {extension.status}",
                       field="extension")
    case = _open_case(session, extension.case_id, principal)
    deadline = next((d for d in open_deadlines(session, extension.case_id)
                     if d.id == extension.deadline_id), None)
    if deadline is None:
        if approve:
            raise Conflict(f"extension: the obligation of request {extension_id} is no longer "
                           "open; refuse the request instead", field="extension")
        deadline = session.get(Deadline, extension.deadline_id)
        assert deadline is not None
        session.expunge(deadline)
    reason_text = check_reason(reason)
    signature = sign(session, principal=principal, password=password or "",
                     meaning=APPROVE_EXTENSION if approve else REFUSE_EXTENSION, now=now)
    old_due = deadline.due_at
    if approve:
        extend(session, deadline=deadline, due_at=extension.proposed_due, now=now,
               plan=policy.plan_for(case.lifecycle))
    extension.status = APPROVED if approve else REFUSED
    extension.open_deadline_id = None
    extension.decided_by = principal.actor
    extension.decided_at = now
    extension.decision_reason = reason_text
    session.add(extension)
    session.flush()
    fields = {"extension": extension.id, "deadline": deadline.id, "step": deadline.key,
              "old_due": isoformat(old_due), "new_due": isoformat(deadline.due_at),
              "reason": reason_text, "signature": signature}
    result = record_fact(
        session, case_id=extension.case_id, action=DECIDED[approve], fields=fields,
        note=None, actor=principal.actor, now=now, policy=policy, tell_owner=False,
    )
    verdict = "granted" if approve else "refused"
    zone = policy.calendar.zone
    insert_rows(session, [outbox.case_changed(
        case=result.case, event=result.event, supplier=result.supplier,
        kind=DECIDED[approve], headline=f"more time on {deadline.title} {verdict}",
        lines=[f"Due {readable(deadline.due_at, zone)}"
               + (f" (was {readable(old_due, zone)})" if approve else " (unchanged)"),
               f"Reason: {reason_text}"],
        tell_supplier=True, now=now, zone=zone,
    )], with_ids=False)
    return ExtensionResult(extension=extension, deadline=deadline, step=result)


def extend_directly(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    step: str,
    until: datetime,
    reason: str | None,
    password: str | None,
    now: datetime,
    policy: DeadlinePolicy,
) -> ExtensionResult:
    """The lead extends the obligation `step` without a request, as a signed decision; kept
    as a request row already granted, so every extension of a case is listed in one place.
    A request waiting on the same obligation is decided first (Conflict "step")."""
    case = _open_case(session, case_id, principal)
    deadline = _obligation(session, case, step)
    assert deadline.id is not None and case.id is not None
    _check_until(deadline, until)
    reason_text = check_reason(reason)
    waiting = _open_request(session, deadline.id)
    if waiting is not None:
        raise Conflict(f"step: request {waiting.id} for more time on '{step}' is waiting; "
                       "approve or refuse it instead", field="step")
    signature = sign(session, principal=principal, password=password or "",
                     meaning=EXTEND_DEADLINE, now=now)
    old_due = deadline.due_at
    extend(session, deadline=deadline, due_at=until, now=now,
           plan=policy.plan_for(case.lifecycle))
    extension = DeadlineExtension(
        case_id=case.id, deadline_id=deadline.id, open_deadline_id=None, status=GRANTED,
        requested_by=principal.actor, requested_at=now, reason=reason_text,
        due_before=old_due, proposed_due=until, decided_by=principal.actor, decided_at=now,
        decision_reason=reason_text,
    )
    session.add(extension)
    session.flush()
    result = record_fact(
        session, case_id=case.id, action=EXTENDED,
        fields={"extension": extension.id, "deadline": deadline.id, "step": deadline.key,
                "old_due": isoformat(old_due), "new_due": isoformat(until),
                "reason": reason_text, "signature": signature},
        note=None, actor=principal.actor, now=now, policy=policy, tell_owner=False,
    )
    zone = policy.calendar.zone
    insert_rows(session, [outbox.case_changed(
        case=result.case, event=result.event, supplier=result.supplier, kind=EXTENDED,
        headline=f"more time on {deadline.title}",
        lines=[f"Due {readable(until, zone)} (was {readable(old_due, zone)})",
               f"Reason: {reason_text}"],
        tell_supplier=True, now=now, zone=zone,
    )], with_ids=False)
    return ExtensionResult(extension=extension, deadline=deadline, step=result)


def list_extensions(
    session: Session,
    *,
    status: str | None = None,
    case_id: int | None = None,
    supplier_id: int | None = None,
) -> list[DeadlineExtension]:
    """Requests for more time, newest first: all, or of one status, case or supplier."""
    if status is not None and status not in (OPEN, APPROVED, REFUSED, GRANTED):
        raise BadInput(f"status: must be one of {OPEN}, {APPROVED}, {REFUSED}, {GRANTED}",
                       field="status")
    query = select(DeadlineExtension).order_by(col(DeadlineExtension.id).desc())
    if status is not None:
        query = query.where(DeadlineExtension.status == status)
    if case_id is not None:
        query = query.where(DeadlineExtension.case_id == case_id)
    if supplier_id is not None:
        query = query.join(Case, col(Case.id) == DeadlineExtension.case_id).where(
            Case.supplier_id == supplier_id)
    return list(session.exec(query))


def open_count(session: Session) -> int:
    """How many requests wait for the lead's decision (the dashboard's count)."""
    return len(list_extensions(session, status=OPEN))



def extension_deadlines(
    session: Session, extensions: list[DeadlineExtension]
) -> dict[int, Deadline]:
    """The deadlines the requests are about, by id: one query for a list."""
    wanted = {e.deadline_id for e in extensions}
    if not wanted:
        return {}
    found = session.exec(select(Deadline).where(col(Deadline.id).in_(wanted)))
    return {d.id: d for d in found if d.id is not None}


@dataclass(frozen=True)
class ExtensionRow:
    """A request as the case page lists it: the row and its obligation's title."""

    id: int
    status: str
    requested_by: str
    requested_at: datetime
    proposed_due: datetime
    reason: str
    step_title: str


def extension_rows(session: Session, case_id: int) -> list[ExtensionRow]:
    """The case's requests for more time, newest first, with their obligations' titles."""
    found = list_extensions(session, case_id=case_id)
    deadlines = extension_deadlines(session, found)
    rows = []
    for e in found:
        assert e.id is not None
        deadline = deadlines.get(e.deadline_id)
        rows.append(ExtensionRow(
            id=e.id, status=e.status, requested_by=e.requested_by, requested_at=e.requested_at,
            proposed_due=e.proposed_due, reason=e.reason,
            step_title=deadline.title if deadline is not None else str(e.deadline_id)))
    return rows
