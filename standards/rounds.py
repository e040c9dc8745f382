"""Quality inspection rounds through the engine (docs/architecture.md, "Service quality
control"): planned per month from `[standards.rounds]` or opened ad hoc, owed by the inspector
until recorded against the current standard, then closed when their findings are.

A round is a case of the `round` lifecycle with its row in `inspection_rounds`; its
`inspection` deadline, met by `record`, is reminded and escalated by the sweep like any other.
Recording pins the standard version the round was scored against, so a later version never
changes it. Each function runs in the caller's transaction and refuses before writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from capaflow.calendars import isoformat
from capaflow.casework.engine import advance, start_case
from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import start_obligation
from capaflow.errors import BadInput, Conflict, NotFound, check_id, check_text
from capaflow.models import Case, InspectionFinding, InspectionRound, RoundResult
from capaflow.scorecards.months import bounds, parse_month
from capaflow.standards.cases import case_now
from capaflow.standards.catalogue import (
    StandardVersion,
    check_position,
    current_standard,
    standard_by_id,
)
from capaflow.standards.findings import open_finding
from capaflow.standards.people import department_lead, finding_owner
from capaflow.standards.scoring import Score, score

# The round's deadline: the inspection owed by its inspector.
INSPECTION = "inspection"
MAX_NOTE = 500


@dataclass(frozen=True)
class Result:
    """One item's result as the inspector gives it."""

    passed: bool
    note: str | None = None


@dataclass
class Recorded:
    case: Case
    round: InspectionRound
    standard: StandardVersion
    score: Score
    findings: list[InspectionFinding] = field(default_factory=list)


def get_round(session: Session, round_id: int) -> tuple[Case, InspectionRound]:
    found = session.get(InspectionRound, check_id("round", round_id))
    if found is None:
        raise NotFound(f"round {round_id} does not exist", field="round")
    return case_now(session, round_id), found


def open_round(
    session: Session, *, policies: Policies, policy: DeadlinePolicy, department: str,
    position: str, inspector: str, due_at: datetime | None, actor: str, now: datetime,
    planned_for: str | None = None, slot: int = 0,
) -> tuple[Case, InspectionRound]:
    """A round owed by `inspector`, due at `due_at` (default `[standards] round_due` from now)."""
    check_position(policies, department, position)
    name = check_text("inspector", inspector, limit=100, required=True)
    if due_at is None:
        due_at = policy.calendar.add(now, policies.standards.round_due)
    elif planned_for is None and due_at <= now:
        raise BadInput(f"due: {isoformat(due_at)} is not after now ({isoformat(now)})",
                       field="due")
    title = policies.departments[department].title
    lead = department_lead(session, policies, department)
    case = Case(
        lifecycle="round", state="owed", severity="minor",
        title=(f"Quality inspection: {title}, {position}"
               + (f" ({planned_for} #{slot + 1})" if planned_for else ""))[:300],
        owner=name, content={"team_lead": lead} if lead else {},
        opened_at=now, updated_at=now,
    )
    opened = start_case(session, case=case, opened_with={
        "department": department, "position": position, "inspector": name,
        "due": isoformat(due_at), **({"planned_for": planned_for} if planned_for else {}),
    }, supplier=None, actor=actor, now=now, policy=policy)
    assert case.id is not None
    row = InspectionRound(case_id=case.id, department=department, position=position,
                          inspector=name, due_at=due_at, planned_for=planned_for, slot=slot)
    session.add(row)
    session.flush()
    start_obligation(session, case=case, key=INSPECTION,
                     title=f"Inspect {department}/{position} against its standard",
                     started_by="open", started_seq=opened.event.seq, due_at=due_at, now=now,
                     policy=policy, met_by=("record",))
    return case_now(session, case.id), row


@dataclass
class Plan:
    month: str
    opened: list[InspectionRound] = field(default_factory=list)
    existing: list[InspectionRound] = field(default_factory=list)


def plan_month(
    session: Session, *, policies: Policies, policy: DeadlinePolicy, month: str, actor: str,
    now: datetime,
) -> Plan:
    """The month's planned rounds from `[standards.rounds]`: opened once; planning the month
    again finds them and opens nothing (each is keyed by department, position, month, slot).
    Round k of n is due at the end of the k-th n-th of the month."""
    year, number = parse_month(month)
    month = f"{year:04d}-{number:02d}"
    start, end = bounds(month, policy.calendar.zone)
    plan = Plan(month=month)
    for department, spec in policies.standards.rounds.items():
        positions = spec.positions or policies.departments[department].positions
        for position in positions:
            for slot in range(spec.per_month):
                found = session.exec(select(InspectionRound).where(
                    InspectionRound.department == department,
                    InspectionRound.position == position,
                    InspectionRound.planned_for == month, InspectionRound.slot == slot)).first()
                if found is not None:
                    plan.existing.append(found)
                    continue
                due = start + (end - start) * (slot + 1) / spec.per_month
                _, row = open_round(session, policies=policies, policy=policy,
                                    department=department, position=position,
                                    inspector=spec.inspector, due_at=due, actor=actor, now=now,
                                    planned_for=month, slot=slot)
                plan.opened.append(row)
    return plan


def _owners(session: Session, policies: Policies, department: str, failed: tuple[str, ...],
            owners: Mapping[str, str]) -> dict[str, str]:
    for code in owners:
        if code not in failed:
            raise BadInput(f"owner: item {code} did not fail; an owner is given only for a "
                           f"failed item", field="owner")
    named = {code: check_text("owner", name, limit=100, required=True)
             for code, name in owners.items()}
    if all(code in named for code in failed):
        return named
    default = finding_owner(session, policies, department)
    return {code: named.get(code, default) for code in failed}


def record_round(
    session: Session, *, policies: Policies, policy: DeadlinePolicy, round_id: int,
    results: Mapping[str, Result], owners: Mapping[str, str], actor: str, now: datetime,
) -> Recorded:
    """Score the round against its position's current standard, pin that version, and turn
    each failed item into a finding; a round with nothing failed closes at once."""
    case, row = get_round(session, round_id)
    if case.state != "owed":
        raise Conflict(f"round {round_id} is {case.state}; only an owed round is recorded",
                       field="trigger", allowed=())
    standard = current_standard(session, row.department, row.position)
    for code, result in results.items():
        if result.note is not None:
            check_text("note", result.note, limit=MAX_NOTE)
        check_text("item", code, limit=40, required=True)
    scored = score(standard.items, {code: r.passed for code, r in results.items()})
    owner_of = _owners(session, policies, row.department, scored.failed, owners)
    advance(session, case_id=round_id, trigger="record", fields={
        "score": f"{scored.value:g}", "standard_version": str(standard.version),
        **({"failed": ", ".join(scored.failed)} if scored.failed else {}),
    }, note=None, actor=actor, now=now, policy=policy, stepping_service=True)
    session.execute(update(InspectionRound).where(col(InspectionRound.case_id) == round_id)
                    .values(standard_id=standard.id, recorded_at=now, score=scored.value))
    session.add_all([
        RoundResult(round_id=round_id, item_code=item.code, passed=results[item.code].passed,
                    note=check_text("note", results[item.code].note, limit=MAX_NOTE))
        for item in standard.items])
    session.flush()
    session.refresh(row)
    findings = []
    for code in scored.failed:
        item = standard.item(code)
        assert item is not None
        findings.append(open_finding(
            session, policies=policies, policy=policy, round_row=row, item=item,
            note=results[code].note, owner=owner_of[code], actor=actor, now=now))
    if not findings:
        advance(session, case_id=round_id, trigger="close",
                fields={"reason": "nothing failed"}, note=None, actor=actor, now=now,
                policy=policy, stepping_service=True)
    return Recorded(case=case_now(session, round_id), round=row, standard=standard,
                    score=scored, findings=findings)


def results_of(session: Session, round_id: int) -> list[RoundResult]:
    return list(session.exec(select(RoundResult).where(RoundResult.round_id == round_id)
                             .order_by(col(RoundResult.id))))


def standard_of(session: Session, row: InspectionRound) -> StandardVersion | None:
    """The version the round was scored against, or (owed) the one it will be."""
    if row.standard_id is not None:
        return standard_by_id(session, row.standard_id)
    try:
        return current_standard(session, row.department, row.position)
    except NotFound:
        return None


def list_rounds(
    session: Session, *, department: str | None = None, state: str | None = None,
    limit: int = 200,
) -> list[tuple[Case, InspectionRound]]:
    query = (select(Case, InspectionRound)
             .join(InspectionRound, col(InspectionRound.case_id) == col(Case.id)))
    if department is not None:
        query = query.where(InspectionRound.department == department)
    if state is not None:
        query = query.where(Case.state == state)
    query = query.order_by(col(InspectionRound.due_at).desc(), col(Case.id).desc()).limit(limit)
    # Fresh rows: a step taken in this session wrote its case with a statement of its own.
    return [(c, r) for c, r in session.exec(query.execution_options(populate_existing=True))]
