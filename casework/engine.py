"""Applies a step to a stored case: guard, state, audit event, deadlines, outbox, all or nothing.

The CLI (and later the API and the flows) call these functions; none of them has its own copy
of a rule. Each runs inside the caller's transaction, which commits on return and rolls back
on any exception (models.db.session_scope), so a refused step writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, func, select

from capaflow.accounts.signatures import check_signature, meaning_for
from capaflow.audittrail.chain import chain_event
from capaflow.deadlines.policy import OPEN, SEVERITIES, DeadlinePolicy
from capaflow.deadlines.schedule import DeadlineChanges, apply_step
from capaflow.errors import BadInput, Conflict, case_not_found, check_text
from capaflow.models import AuditFinding, Case, CaseEvent, Deadline, DefectEvent, Supplier
from capaflow.models.db import build, insert_rows
from capaflow.models.deadline import MET

# Re-exported: the interfaces and services above look a case up through the engine.
from capaflow.models.queries import get_case as get_case
from capaflow.notifications import outbox
from capaflow.statemachines import LIFECYCLES, Lifecycle
from capaflow.statemachines.binding import fire
from capaflow.statemachines.guards import check_fields
from capaflow.suppliers.registry import get_supplier

# The audit action of a recurrence counted on a case that is still being worked.
OCCURRENCE = "occurrence"


@dataclass(frozen=True)
class Amendment:
    """What a step changes on the case besides its state and content, decided by the service
    that takes it: the new owner (a request dispatched), the new severity (escalated), and
    content to merge (the team lead the request's escalations go to)."""

    owner: str | None = None
    severity: str | None = None
    content: Mapping[str, Any] | None = None
    # An edit of an open case (casework.edits) changes these too.
    part: str | None = None
    defect_code: str | None = None
    complexity: str | None = None

    def apply(self, case: Case) -> None:
        if self.owner is not None:
            case.owner = self.owner
        if self.severity is not None:
            case.severity = self.severity
        if self.part is not None:
            case.part = self.part
        if self.defect_code is not None:
            case.defect_code = self.defect_code
        if self.complexity is not None:
            case.complexity = self.complexity
        if self.content:
            case.content = {**case.content, **self.content}


@dataclass
class StepResult:
    case: Case
    event: CaseEvent
    deadlines: DeadlineChanges
    supplier: Supplier | None = None


def check_severity(severity: str) -> None:
    if severity not in SEVERITIES:
        raise BadInput(f"severity: must be one of {', '.join(SEVERITIES)}", field="severity")


def lifecycle_of(name: str) -> Lifecycle:
    try:
        return LIFECYCLES[name]
    except KeyError:
        raise BadInput(
            f"lifecycle: '{name}' is not one of {', '.join(LIFECYCLES)}", field="lifecycle"
        ) from None


# Statements built once (SQLAlchemy caches their compiled form): a step is the hot path.
_cases = Case.__table__  # type: ignore[attr-defined]
_suppliers = Supplier.__table__  # type: ignore[attr-defined]
# The case and its supplier in one round trip: the supplier's columns come labelled "s_<name>".
_CASE_AND_SUPPLIER = (
    select(_cases, *(c.label(f"s_{c.name}") for c in _suppliers.c))
    .select_from(_cases.outerjoin(_suppliers, _suppliers.c.id == _cases.c.supplier_id))
    .where(_cases.c.id == bindparam("case_id"))
)
_CASE_COLUMNS = tuple(c.name for c in _cases.c)
_SUPPLIER_COLUMNS = tuple((f"s_{c.name}", c.name) for c in _suppliers.c)
_STEP_COLUMNS = (
    "state", "owner", "severity", "complexity", "part", "defect_code", "cycle",
    "reopen_count", "occurrences",
    "content", "head_hash", "event_count", "updated_at", "closed_at",
)
# The version check: the row is written only if it is still at the version this step read,
# so of two steps racing on one case exactly one lands and the other is told (exit 4).
_UPDATE_CASE = (
    update(_cases)
    .where(_cases.c.id == bindparam("case_id"))
    .where(_cases.c.version == bindparam("read_version"))
    .values(
        version=bindparam("new_version"),
        **{name: bindparam(f"new_{name}") for name in _STEP_COLUMNS},
    )
)


def _case_and_supplier(session: Session, case_id: int) -> tuple[Case, Supplier | None]:
    # Detached objects: the step changes the case in memory and writes it with _UPDATE_CASE.
    row = session.connection().execute(_CASE_AND_SUPPLIER, {"case_id": case_id}).mappings().first()
    if row is None:
        raise case_not_found(case_id)
    case = build(Case, **{name: row[name] for name in _CASE_COLUMNS})
    if row["s_id"] is None:
        return case, None
    return case, build(Supplier, **{name: row[label] for label, name in _SUPPLIER_COLUMNS})


def _write_case(session: Session, case: Case) -> None:
    """Write the case row if nobody else has since it was read; Conflict otherwise."""
    params: dict[str, Any] = {f"new_{name}": getattr(case, name) for name in _STEP_COLUMNS}
    params.update(case_id=case.id, read_version=case.version, new_version=case.version + 1)
    written = session.connection().execute(_UPDATE_CASE, params).rowcount
    if written != 1:
        raise Conflict(
            f"case {case.id} was updated by someone else while this step ran; "
            "reload and try again",
            field="version",
        )
    case.version += 1


def open_case(
    session: Session,
    *,
    lifecycle: str,
    title: str,
    supplier_code: str | None,
    part: str | None,
    defect_code: str | None,
    severity: str,
    complex_cause: bool,
    owner: str | None,
    team: str | None,
    problem: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    linked_case_id: int | None = None,
) -> StepResult:
    """Open a case: D0-D2 (team, problem) recorded; an 8D case starts in containment.

    `linked_case_id`: the earlier case this one follows (a recurrence after closure).
    """
    machine = lifecycle_of(lifecycle)
    if machine.opened_by is not None:
        # A service request has a row of its own beside the case, its clocks and dispatch:
        # opened here it would have none of them (Lifecycle.opened_by).
        raise BadInput(f"lifecycle: a {machine.title.lower()} is opened at "
                       f"{machine.opened_by}", field="lifecycle")
    check_severity(severity)
    supplier: Supplier | None = None
    if supplier_code is not None:
        supplier = get_supplier(session, supplier_code)
    content: dict[str, Any] = {}
    members = [m.strip() for m in (team or "").split(",") if m.strip()]
    if members:
        content["team"] = members
    problem_text = check_text("problem", problem, limit=20_000)
    if problem_text:
        content["problem"] = problem_text
    case = Case(
        lifecycle=machine.name,
        state=machine.initial,
        title=check_text("title", title, required=True, limit=300),
        supplier_id=supplier.id if supplier else None,
        part=check_text("part", part, limit=100),
        defect_code=check_text("defect_code", defect_code, limit=100),
        severity=severity,
        complexity="complex" if complex_cause else "general",
        owner=check_text("owner", owner, limit=100),
        content=content,
        linked_case_id=linked_case_id,
        opened_at=now,
        updated_at=now,
    )
    opened_with = {
        k: v
        for k, v in {
            "title": case.title,
            "supplier": supplier_code,
            "part": case.part,
            "defect_code": case.defect_code,
            "severity": case.severity,
            "complexity": case.complexity,
            "owner": case.owner,
            "team": members or None,
            "problem": problem_text,
            "linked_case": linked_case_id,
        }.items()
        if v is not None
    }
    return start_case(session, case=case, opened_with=opened_with, supplier=supplier,
                      actor=actor, now=now, policy=policy)


def start_case(
    session: Session,
    *,
    case: Case,
    opened_with: Mapping[str, Any],
    supplier: Supplier | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    """Store a new case (checked by its caller) with its opening event, the deadlines its
    lifecycle starts on "open", and the notice that it opened: the one way a case begins,
    whether the 8D intake, a grade escalation or the service desk opens it."""
    session.add(case)
    session.flush()  # the case id is part of the first event's hash
    session.expunge(case)
    event = chain_event(
        case=case, action=OPEN, from_state=None, fields=dict(opened_with), note=None,
        actor=actor, at=now,
    )
    return _record(
        session, case=case, supplier=supplier, event=event, now=now, policy=policy,
        final=False, undone=None,
    )


def _record(
    session: Session,
    *,
    case: Case,
    supplier: Supplier | None,
    event: CaseEvent,
    now: datetime,
    policy: DeadlinePolicy,
    final: bool,
    undone: int | None,
    revoked: int | None = None,
) -> StepResult:
    """Write what a step decided, case row first: its version check settles any race before
    anything else is written. `revoked`: the close event a late-reported recurrence revokes."""
    _write_case(session, case)
    insert_rows(session, [event], with_ids=False)
    changes = apply_step(
        session, case=case, step=event.action, seq=event.seq, now=now, policy=policy,
        final=final, undone_seq=undone, revoked_seq=revoked,
    )
    notice = outbox.case_moved(
        case=case, event=event, supplier=supplier, owed=changes.owed, now=now,
        zone=policy.calendar.zone, tell_supplier=LIFECYCLES[case.lifecycle].notify_supplier,
    )
    insert_rows(session, [notice], with_ids=False)
    return StepResult(case=case, event=event, deadlines=changes)


def record_occurrence(
    session: Session,
    *,
    case_id: int,
    fields: Mapping[str, str],
    note: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    """One more occurrence of the defect on a case still being worked: counted and audited.

    Not a step of the lifecycle (the state stays), but a fact the 8D report and the supplier's
    grade depend on, so it goes into the hash-chained trail like every step.
    """
    case, supplier = _case_and_supplier(session, case_id)
    case.occurrences += 1
    case.updated_at = now
    event = chain_event(
        case=case, action=OCCURRENCE, from_state=case.state, fields=dict(fields), note=note,
        actor=actor, at=now,
    )
    return _record(
        session, case=case, supplier=supplier, event=event, now=now, policy=policy,
        final=False, undone=None,
    )


def record_fact(
    session: Session,
    *,
    case_id: int,
    action: str,
    fields: Mapping[str, Any],
    note: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    content: Mapping[str, Any] | None = None,
    tell_owner: bool = True,
    amend: Amendment | None = None,
) -> StepResult:
    """A fact about a case that is not a step of its lifecycle: the state stays, the fact goes
    into the hash-chained trail like every step, under the same version check, with `content`
    merged into the case. The intake records this way a defect's classification and the
    replacement parts received; the service desk which corrective action a request opened, a
    later low score on that action, a training item done (docs/architecture.md, "Service
    desk").

    `amend`: the case's own columns the fact changes (an edit of an open case), written
    under the same version check.

    `tell_owner`: queue the usual notice of a step to the owner; off when the caller queues a
    notice of its own (the classification's written notice to the supplier). What the fact
    does to deadlines and holds is the caller's, in the same transaction.

    `action` must not be a trigger of the case's lifecycle (or "open"): a fact is never
    mistaken for a step when the trail is read back.
    """
    case, supplier = _case_and_supplier(session, case_id)
    if action == OPEN or action in LIFECYCLES[case.lifecycle].triggers:
        raise ValueError(f"{action!r} is a step of the {case.lifecycle} lifecycle, not a fact")
    if content:
        case.content = {**case.content, **content}
    if amend is not None:
        amend.apply(case)
    case.updated_at = now
    event = chain_event(
        case=case, action=action, from_state=case.state, fields=dict(fields), note=note,
        actor=actor, at=now,
    )
    if not tell_owner:
        _write_case(session, case)
        insert_rows(session, [event], with_ids=False)
        return StepResult(case=case, event=event, deadlines=DeadlineChanges(),
                          supplier=supplier)
    result = _record(
        session, case=case, supplier=supplier, event=event, now=now, policy=policy,
        final=False, undone=None,
    )
    result.supplier = supplier
    return result


def _record_content(
    case: Case, trigger: str, fields: Mapping[str, str], opened_complexity: str
) -> None:
    """Keep the 8D / PDCA content on the case; a new dict, so SQLAlchemy sees the change."""
    machine = LIFECYCLES[case.lifecycle]
    content = dict(case.content)
    if case.lifecycle == "pdca":
        cycles = dict(content.get("cycles", {}))
        cycle = dict(cycles.get(str(case.cycle), {}))
        for name, value in fields.items():
            cycle[name] = (value == "true") if name == "met" else value
        cycles[str(case.cycle)] = cycle
        content["cycles"] = cycles
    elif machine.keeps is not None:
        content.update({k: v for k, v in fields.items() if k in machine.keeps})
    elif trigger == "reopen" and case.lifecycle == "8d":
        # The countermeasure did not hold: keep it on record as ineffective, owe a new one.
        history = list(content.get("ineffective_countermeasures", []))
        if "countermeasure" in content:
            history.append(content.pop("countermeasure"))
        content["ineffective_countermeasures"] = history
        if "reason" in fields:
            content.setdefault("recurrences", []).append(fields["reason"])
    elif trigger not in ("reject", "cancel"):
        content.update(fields)
    if trigger == "find_root_cause":
        case.complexity = fields.get("complexity") or opened_complexity
    case.content = content


def _opened_complexity(session: Session, case: Case, trigger: str) -> str:
    """The complexity set when the case was opened (its first event).

    A root cause found without a complexity falls back to this one, not to the complexity of
    an earlier root cause that was sent back (reject) or disproved (reopen).
    """
    if trigger != "find_root_cause":
        return case.complexity
    opened = session.connection().execute(_OPENED_WITH, {"case_id": case.id}).scalar()
    return str((opened or {}).get("complexity", case.complexity))


# Built once, a Core statement: the ORM's select costs a step several times as much.
_events = CaseEvent.__table__  # type: ignore[attr-defined]
_OPENED_WITH = (
    select(_events.c.fields)
    .where(_events.c.case_id == bindparam("case_id"))
    .where(_events.c.seq == 1)
)


def _facts(session: Session, case: Case, trigger: str, now: datetime) -> dict[str, Any]:
    """What the machine's conditions need beyond the row (see BoundCase)."""
    if case.lifecycle == "audit":
        return _audit_facts(session, case)
    if trigger == "close":
        return _window_facts(session, case, now)
    if trigger == "reopen" and case.state == "closed":
        return _closure_facts(session, case)
    return {}


def _audit_facts(session: Session, case: Case) -> dict[str, Any]:
    # The audit's guards count the finding rows themselves, not a number kept on the
    # case: a step fired by hand (`capa case advance N close_finding`) must not be able to
    # close an audit whose findings are still open.
    open_findings = session.exec(
        select(func.count()).select_from(AuditFinding)
        .where(AuditFinding.case_id == case.id)
        .where(AuditFinding.status == "open")
    ).one()
    return {"open_findings": int(open_findings)}


def _window_facts(session: Session, case: Case, now: datetime) -> dict[str, Any]:
    window = session.exec(
        select(Deadline)
        .where(Deadline.case_id == case.id)
        .where(Deadline.key == "effectiveness_window")
        .where(Deadline.status == "pending")
    ).first()
    return {
        "effectiveness_window_over": window is not None and now >= window.due_at,
        "window_end": window.due_at.isoformat() if window else "(no window)",
    }


def _closure_facts(session: Session, case: Case) -> dict[str, Any]:
    """Reopening a case closed as effective (a recurrence reported after the close): the
    close it revokes, the effectiveness window that close ended, and whether a recorded
    defect of the case's supplier, part and defect code occurred inside that window
    (docs/architecture.md, "Quality rules": the outcome depends on when the defect
    occurred, not on when the sweep closed the case)."""
    close_seq = session.exec(
        select(CaseEvent.seq)
        .where(CaseEvent.case_id == case.id)
        .where(CaseEvent.action == "close")
        .order_by(col(CaseEvent.seq).desc())
    ).first()
    window = None if close_seq is None else session.exec(
        select(Deadline)
        .where(Deadline.case_id == case.id)
        .where(Deadline.key == "effectiveness_window")
        .where(Deadline.status == MET)
        .where(Deadline.closed_by_seq == close_seq)
        .order_by(col(Deadline.id).desc())
    ).first()
    inside = window is not None and case.supplier_id is not None and session.exec(
        select(DefectEvent.id)
        .where(DefectEvent.supplier_id == case.supplier_id)
        .where(DefectEvent.part == case.part)
        .where(DefectEvent.defect_code == case.defect_code)
        .where(col(DefectEvent.occurred_at) >= window.started_at)
        .where(col(DefectEvent.occurred_at) < window.due_at)
        .limit(1)
    ).first() is not None
    return {
        "recurrence_inside_window": inside,
        "revoked_event": close_seq,
        "window_start": window.started_at.isoformat() if window else "(no window)",
        "window_end": window.due_at.isoformat() if window else "(no window)",
    }


def refuse_stepped_elsewhere(case_id: int, machine: Lifecycle) -> None:
    """Conflict when the lifecycle's steps belong to a service of their own
    (Lifecycle.stepped_by): the bare engine would leave that service's part undone."""
    if machine.stepped_by is not None:
        raise Conflict(
            f"case {case_id} is a {machine.title.lower()}: take its steps at "
            f"{machine.stepped_by}", field="case")


def needs_signature(lifecycle: Lifecycle, state: str, trigger: str) -> bool:
    """Whether taking `trigger` in `state` is a signed decision: every step into a final state
    (8D close and cancel, PDCA standardize, cause report accept, audit close, ...).

    Derived from the lifecycle's final states rather than listed, so a lifecycle added later,
    or a new way into a final state, needs a signature without anyone remembering to add it.
    """
    dest = lifecycle.dest(trigger, state)
    return dest is not None and dest in lifecycle.final


def _signature(
    machine: Lifecycle,
    state: str,
    trigger: str,
    signature: Mapping[str, Any] | None,
    *,
    required: bool,
    actor: str,
) -> dict[str, Any] | None:
    """The signature to record with the step, checked; BadInput (field "signature") when a
    required one is missing or one is given for a step that is not a signed decision."""
    signed = needs_signature(machine, state, trigger)
    if signature is None:
        if signed and required:
            raise BadInput(
                f"signature: '{trigger}' ends the case ({machine.dest(trigger, state)}); it "
                "is a signed decision: re-enter your password to sign it",
                field="signature",
            )
        return None
    if not signed:
        # A signature in the trail must mean a decision that needed one.
        raise BadInput(f"signature: '{trigger}' is not a signed decision", field="signature")
    return check_signature(signature, actor=actor, meaning=meaning_for(machine.name, trigger))


def _undone_seq(session: Session, case: Case, machine: Lifecycle) -> int | None:
    """For reject: the audit event of the step that brought the case into its state."""
    forward = [s.trigger for s in machine.steps if s.dest == case.state and s.trigger != "reject"]
    return session.exec(
        select(CaseEvent.seq)
        .where(CaseEvent.case_id == case.id)
        .where(col(CaseEvent.action).in_(forward))
        .order_by(col(CaseEvent.seq).desc())
    ).first()


def advance(
    session: Session,
    *,
    case_id: int,
    trigger: str,
    fields: Mapping[str, str],
    note: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    expected_version: int | None = None,
    signature: Mapping[str, Any] | None = None,
    require_signature: bool = False,
    facts: Mapping[str, Any] | None = None,
    amend: Amendment | None = None,
    stepping_service: bool = False,
) -> StepResult:
    """Apply one step to a case: all of it is written, or (on any refusal) none of it.

    `stepping_service`: the caller is the service that owns the lifecycle's steps
    (Lifecycle.stepped_by), or the sweep taking a timed step; anyone else is refused for such
    a lifecycle, so a request's hold cannot bypass the clocks the service desk stops.

    `amend`: owner, severity or content the calling service changes with the step, written
    with it under the same version check.

    `facts`: what a condition of the step needs that only the calling service knows (the
    service desk's reopen window), merged over what the engine computes itself.

    `signature` (accounts.signatures.sign) is recorded in the event's fields under
    "signature", where the hash chain covers it. `require_signature`: the web pages, the API
    and `capa case advance`, acting for a person (casework.decisions.advance_as), set it, and
    a step into a final state without a signature is then refused. It stays False for the
    steps the system takes itself (the sweep's timed close, an audit closed with no failed
    item, the commands of a service that end its own records): those are recorded unsigned,
    under the actor that took them.
    """
    case, supplier = _case_and_supplier(session, case_id)
    machine = LIFECYCLES[case.lifecycle]
    if not stepping_service:
        refuse_stepped_elsewhere(case_id, machine)
    if trigger not in machine.triggers:
        raise BadInput(
            f"trigger: '{trigger}' is not a step of the {machine.name} lifecycle "
            f"({', '.join(machine.triggers)})",
            field="trigger",
        )
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            f"case {case_id} is at version {case.version}, not {expected_version}: "
            "someone else updated it; reload and try again",
            field="version",
        )
    allowed = machine.allowed(case.state)
    if trigger not in allowed:
        raise Conflict(
            f"'{trigger}' is not allowed in state {case.state}; allowed: "
            f"{', '.join(allowed) or 'none (the case is ' + case.state + ')'}",
            field="trigger",
            allowed=allowed,
        )
    cleaned = check_fields(machine, trigger, fields)
    note_text = check_text("note", note, limit=20_000)
    signed = _signature(machine, case.state, trigger, signature, required=require_signature,
                        actor=actor)
    undone = _undone_seq(session, case, machine) if trigger == "reject" else None
    return _apply(
        session, case=case, supplier=supplier, machine=machine, trigger=trigger,
        fields=cleaned, note=note_text, actor=actor, now=now, policy=policy, undone=undone,
        allowed=allowed, signature=signed, given_facts=facts, amend=amend,
    )


def _apply(
    session: Session,
    *,
    case: Case,
    supplier: Supplier | None,
    machine: Lifecycle,
    trigger: str,
    fields: dict[str, str],
    note: str | None,
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    undone: int | None,
    allowed: tuple[str, ...],
    signature: dict[str, Any] | None = None,
    given_facts: Mapping[str, Any] | None = None,
    amend: Amendment | None = None,
) -> StepResult:
    from_state = case.state
    # Content first: a condition such as PDCA's target_met reads what this step records.
    _record_content(case, trigger, fields, _opened_complexity(session, case, trigger))
    facts = {**_facts(session, case, trigger, now), **(given_facts or {})}
    if not fire(case, trigger, facts):
        step = next(s for s in machine.steps if s.trigger == trigger and s.source == from_state)
        message = machine.condition_messages[step.conditions[0]].format(cycle=case.cycle, **facts)
        raise Conflict(f"'{trigger}' refused: {message}", field="trigger", allowed=allowed)
    if amend is not None:
        amend.apply(case)
    case.updated_at = now
    # A case leaving a final state (a closed 8D case reopened by a late-reported recurrence)
    # is open again: it has no closing time until it closes once more.
    case.closed_at = now if case.state in machine.final else None
    # The signature goes into the event only, never into the case's 8D content: it belongs
    # to the decision, and inside the event's fields the chain hash covers it.
    recorded: dict[str, Any] = dict(fields)
    revoked = facts.get("revoked_event") if from_state in machine.final else None
    if revoked is not None:
        # The trail says in so many words that the close it revokes was wrong; the close
        # event itself stays in the chain, as every event does.
        recorded.update(effectiveness_closure_revoked=True, revoked_event=revoked)
    if signature is not None:
        recorded["signature"] = signature
    event = chain_event(
        case=case, action=trigger, from_state=from_state, fields=recorded,
        note=note, actor=actor, at=now,
    )
    return _record(
        session, case=case, supplier=supplier, event=event, now=now, policy=policy,
        final=case.state in machine.final, undone=undone, revoked=revoked,
    )
