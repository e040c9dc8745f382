"""Queues notices as outbox rows in the caller's transaction (at-least-once out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from capaflow.calendars import readable
from capaflow.models import Case, CaseEvent, Deadline, Notification, Supplier
from capaflow.models.db import build
from capaflow.statemachines.words import say

_KINDS = {"reopen": "reopened", "close": "closed", "occurrence": "occurrence"}


def case_moved(
    *,
    case: Case,
    event: CaseEvent,
    supplier: Supplier | None,
    owed: Sequence[Deadline],
    now: datetime,
    zone: tzinfo | None = None,
    tell_supplier: bool = True,
) -> Notification:
    """The notice of a step, for the owner (and the supplier's contact on a supplier case,
    unless the work is ours alone: `tell_supplier`, the lifecycle's notify_supplier).

    Its kind says what happened: "reopened" (the countermeasure failed), "closed" (closed as
    effective), "occurrence" (the defect came back while the case is worked), else
    "case_moved". Times are on the site's wall clock (`zone`), states and steps in words.
    """
    audience = ["owner"] + (["supplier_contact"] if supplier is not None and tell_supplier
                            else [])
    who = f" ({supplier.code})" if supplier is not None else ""
    moved = (f"{say(event.from_state)} → {say(event.to_state)}" if event.from_state
             else say(event.to_state))
    lines = [
        f"Case #{case.id}{who}: {case.title}",
        f"Step: {say(event.action)} by {event.actor} at {readable(event.at, zone)}",
        f"State: {moved}",
    ]
    if case.part or case.defect_code:
        lines.append(f"Part {case.part or '-'}, defect {case.defect_code or '-'}")
    if owed:
        lines.append("Now owed:")
        lines.extend(f"  - {d.title}: due {readable(d.due_at, zone)}" for d in owed)
    return build(
        Notification,
        # One notice per audit event: replaying the same step can never queue it twice.
        dedupe_key=f"case:{case.id}:event:{event.seq}:moved",
        case_id=case.id,
        kind=_KINDS.get(event.action, "case_moved"),
        audience=audience,
        subject=f"[capaflow] Case #{case.id} {moved}: {case.title}"[:300],
        body="\n".join(lines),
        created_at=now,
        next_attempt_at=now,
    )


def defect_classified(
    *,
    case: Case,
    event: CaseEvent,
    supplier: Supplier | None,
    kind: str,
    lines: Sequence[str],
    owed: Sequence[Deadline],
    now: datetime,
    zone: tzinfo | None = None,
) -> Notification:
    """The written notice of a defect's classification (README, "Batch versus sporadic"): to
    the supplier's contact and the owner, saying what the class asks of the supplier (parts
    confirmed good at once, or the defective pieces replaced) and by when. `kind` names it:
    "batch_defect", "sporadic_defect", "one_off_defect", "unavoidable_defect"."""
    audience = ["owner"] + (["supplier_contact"] if supplier is not None else [])
    who = f" ({supplier.code})" if supplier is not None else ""
    body = [f"Case #{case.id}{who}: {case.title}", *lines]
    if owed:
        body.append("Now owed:")
        body.extend(f"  - {d.title}: due {readable(d.due_at, zone)}" for d in owed)
    return build(
        Notification,
        dedupe_key=f"case:{case.id}:event:{event.seq}:classified",
        case_id=case.id,
        kind=kind,
        audience=audience,
        subject=f"[capaflow] Case #{case.id}: {say(kind)}: {case.title}"[:300],
        body="\n".join(body),
        created_at=now,
        next_attempt_at=now,
    )


def case_changed(
    *,
    case: Case,
    event: CaseEvent,
    supplier: Supplier | None,
    kind: str,
    headline: str,
    lines: Sequence[str],
    tell_supplier: bool,
    now: datetime,
    zone: tzinfo | None = None,
) -> Notification:
    """The notice of a change to a case that is not a step (an edit, a request for more time
    and the lead's decision on it): to the owner, and the supplier's contact when the change
    is the supplier's business. One per audit event, like a step's notice."""
    audience = ["owner"] + (["supplier_contact"] if supplier is not None and tell_supplier
                            else [])
    who = f" ({supplier.code})" if supplier is not None else ""
    body = [f"Case #{case.id}{who}: {case.title}", headline, *lines,
            f"By {event.actor} at {readable(event.at, zone)}"]
    return build(
        Notification,
        dedupe_key=f"case:{case.id}:event:{event.seq}:{kind}"[:200],
        case_id=case.id,
        kind=kind,
        audience=audience,
        subject=f"[capaflow] Case #{case.id}: {headline}"[:300],
        body="\n".join(body),
        created_at=now,
        next_attempt_at=now,
    )
