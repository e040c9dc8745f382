"""Changes to an open case after it was opened: its owner, severity, part, complexity or
defect code, each a signed, audited edit (docs/architecture.md, "Edits and extensions").

An edit is not a step of the lifecycle: the state stays. It is one event in the case's hash
chain holding every old and new value, the reason and the signature, written with the case
row under its version check (casework.engine.record_fact). A change of severity or
complexity moves the due time of the open deadlines whose target depends on it (the long-term
countermeasure: 7 days for a general cause, 10 for a complex one), counted again from the
moment that deadline's clock started, and the event says old → new due.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from capaflow.accounts.signatures import EDIT_CASE, sign
from capaflow.accounts.tokens import Principal
from capaflow.accounts.users import WRITER_ROLES, find_user
from capaflow.calendars import isoformat, readable
from capaflow.casework.engine import Amendment, StepResult, check_severity, record_fact
from capaflow.deadlines.clocks import move_due, retime
from capaflow.deadlines.policy import COMPLEXITIES, DeadlinePolicy
from capaflow.deadlines.schedule import open_deadlines
from capaflow.errors import BadInput, Conflict, case_not_found, check_text
from capaflow.models import Case, Deadline
from capaflow.models.db import insert_rows
from capaflow.models.queries import read_case
from capaflow.notifications import outbox
from capaflow.statemachines import LIFECYCLES

# The audit action of an edit: not a trigger of any lifecycle.
EDITED = "edited"
# What may be edited, in the order the trail lists them.
EDITABLE = ("owner", "severity", "part", "complexity", "defect_code")
_LIMITS = {"owner": 100, "part": 100, "defect_code": 100}
REASON_LIMIT = 2000


@dataclass(frozen=True)
class DueMove:
    """An open deadline whose due time an edit moves."""

    deadline: Deadline
    old_due: datetime
    new_due: datetime

    def as_json(self) -> dict[str, Any]:
        return {"deadline": self.deadline.id, "key": self.deadline.key,
                "title": self.deadline.title, "old_due": isoformat(self.old_due),
                "new_due": isoformat(self.new_due)}


def check_reason(reason: str | None) -> str:
    """A decision's reason: required, at most REASON_LIMIT characters."""
    return check_text("reason", reason, required=True, limit=REASON_LIMIT)


def _checked(session: Session, name: str, value: str) -> str:
    """One new value, checked; BadInput naming the field."""
    if name == "severity":
        check_severity(value.lower())
        return value.lower()
    if name == "complexity":
        if value.lower() not in COMPLEXITIES:
            raise BadInput(f"complexity: must be one of {', '.join(COMPLEXITIES)}",
                           field="complexity")
        return value.lower()
    value = check_text(name, value, required=True, limit=_LIMITS[name])
    if name == "owner":
        user = find_user(session, value)
        if user is None or user.disabled_at is not None or user.role not in WRITER_ROLES:
            raise BadInput(f"owner: '{value}' is not an enabled user with a writer role "
                           f"({', '.join(sorted(WRITER_ROLES))})", field="owner")
    return value


def _cleaned(session: Session, case: Case, changes: Mapping[str, str | None]) -> dict[str, str]:
    """The changes that change something, checked; BadInput naming the field otherwise."""
    unknown = [name for name in changes if name not in EDITABLE]
    if unknown:
        raise BadInput(f"{unknown[0]}: not something an edit changes "
                       f"({', '.join(EDITABLE)})", field=unknown[0])
    cleaned: dict[str, str] = {}
    for name in EDITABLE:
        given = changes.get(name)
        if given is None or not given.strip():
            continue
        value = _checked(session, name, given.strip())
        if value != getattr(case, name):
            cleaned[name] = value
    if not cleaned:
        raise BadInput("changes: nothing to change: every value given is the case's own",
                       field="changes")
    return cleaned


def _due_moves(
    session: Session, case: Case, severity: str, complexity: str, policy: DeadlinePolicy
) -> tuple[list[DueMove], list[Deadline]]:
    """The open deadlines whose due time the new severity and complexity move, and the ones
    an approved extension keeps where it is (the lead's decision on the date stands)."""
    assert case.id is not None
    moves: list[DueMove] = []
    kept: list[Deadline] = []
    milestones = {m.key: m for m in policy.milestones.get(case.lifecycle, ())}
    for deadline in open_deadlines(session, case.id):
        milestone = milestones.get(deadline.key)
        if milestone is None or milestone.every is not None:
            continue
        due = retime(deadline, milestone.due_for(severity, complexity), policy.calendar)
        if due == deadline.due_at:
            continue
        if deadline.extensions:
            kept.append(deadline)
            continue
        moves.append(DueMove(deadline=deadline, old_due=deadline.due_at, new_due=due))
    return moves, kept


def edit_case(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    changes: Mapping[str, str | None],
    reason: str | None,
    password: str | None,
    now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    """Edit an open case as a signed decision of `principal` (the password re-entered).

    Refused, with nothing written: a case that does not exist (NotFound), a closed or
    cancelled case (Conflict, field "state"), an unknown field, an invalid value, an owner
    who is not an enabled user with a writer role, no change at all, a missing reason
    (BadInput naming the field), then a signer who may not sign or a wrong password
    (accounts.signatures.sign). The input is checked before the password is asked for.
    """
    case = read_case(session, case_id)
    if case is None:
        raise case_not_found(case_id)
    machine = LIFECYCLES[case.lifecycle]
    if case.state in machine.final:
        raise Conflict(f"state: case {case_id} is {case.state}; a closed or cancelled case is "
                       "not edited", field="state")
    cleaned = _cleaned(session, case, changes)
    reason_text = check_reason(reason)
    moves, kept = _due_moves(session, case, cleaned.get("severity", case.severity),
                             cleaned.get("complexity", case.complexity), policy)
    signature = sign(session, principal=principal, password=password or "",
                     meaning=EDIT_CASE, now=now)
    recorded: dict[str, Any] = {
        "changes": {name: {"old": getattr(case, name), "new": value}
                    for name, value in cleaned.items()},
        "reason": reason_text,
        "signature": signature,
    }
    if moves:
        recorded["deadlines_moved"] = [m.as_json() for m in moves]
    if kept:
        recorded["deadlines_kept_as_extended"] = [d.id for d in kept]
    result = record_fact(
        session, case_id=case_id, action=EDITED, fields=recorded, note=None,
        actor=principal.actor, now=now, policy=policy, tell_owner=False,
        amend=Amendment(owner=cleaned.get("owner"), severity=cleaned.get("severity"),
                        part=cleaned.get("part"), defect_code=cleaned.get("defect_code"),
                        complexity=cleaned.get("complexity")),
    )
    move_due(session, moves=[(m.deadline, m.new_due) for m in moves],
             plan=policy.plan_for(case.lifecycle), now=now)
    said = [f"{name.replace('_', ' ')}: {c['old'] or '-'} → {c['new']}"
            for name, c in recorded["changes"].items()]
    said += [f"{m.deadline.title} now due {readable(m.new_due, policy.calendar.zone)} (was "
             f"{readable(m.old_due, policy.calendar.zone)})"
             for m in moves]
    notice = outbox.case_changed(
        case=result.case, event=result.event, supplier=result.supplier, kind="case_edited",
        headline="the case was changed", lines=[*said, f"Reason: {reason_text}"],
        tell_supplier=machine.notify_supplier, now=now, zone=policy.calendar.zone,
    )
    insert_rows(session, [notice], with_ids=False)
    return result
