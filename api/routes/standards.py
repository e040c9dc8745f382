"""/standards, /rounds and /findings: the service standards, quality inspection rounds and
their findings, through `standards` as `capa standard|round|finding ...`, answering the
CLI's documents (documents.standards); docs/architecture.md, "Service quality control"."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from capaflow.documents.standards import (
    FindingListPublic,
    FindingPublic,
    RoundListPublic,
    RoundPublic,
    StandardListPublic,
    StandardPublic,
    finding_documents,
    round_document,
    round_list_document,
    standard_document,
    standard_list_document,
)
from capaflow.errors import BadInput
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.fields import MAX_ID, Body, Short, Text
from capaflow.serving.inspections import (
    require_finding_closer,
    require_inspection_reader,
    require_inspector,
)
from capaflow.standards.catalogue import (
    catalogue,
    check_department,
    check_position,
    current_standard,
    standard_version,
)
from capaflow.standards.findings import close_finding, list_findings
from capaflow.standards.rounds import Result, get_round, list_rounds, open_round, record_round
from capaflow.statemachines.inspection_round import ROUND

router = APIRouter(tags=["service quality"])

RoundId = Annotated[int, Path(ge=1, le=MAX_ID, description="Round number.")]
FindingId = Annotated[int, Path(ge=1, le=MAX_ID, description="Finding number.")]
Code = Annotated[str, Path(max_length=60)]


class OpenRound(Body):
    department: Short
    position: Short
    inspector: Short
    # Left out: [standards] round_due from now.
    due: datetime | None = None


class ItemResult(Body):
    passed: bool
    note: Text | None = None


class RecordRound(Body):
    # Every item of the standard by its code.
    results: dict[Short, ItemResult] = Field(max_length=1000)
    # Who owns the finding of a failed item, by its code (default: the department's owner).
    owners: dict[Short, Short] = Field(default_factory=dict, max_length=1000)


class CloseFinding(Body):
    action: Text


@router.get("/standards")
def standards_route(session: SessionDep, principal: PrincipalDep) -> StandardListPublic:
    """The current version of every standard."""
    require_inspection_reader(principal)
    return standard_list_document(catalogue(session))


@router.get("/standards/{department}/{position}")
def standard_route(
    department: Code, position: Code, session: SessionDep, ctx: ContextDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> StandardPublic:
    """One standard with its items: the current version, or `version`."""
    require_inspection_reader(principal)
    check_position(ctx.runtime.policies, department, position)
    found = (current_standard(session, department, position) if version is None
             else standard_version(session, department, position, version))
    return standard_document(found)


@router.get("/rounds")
def rounds_route(
    session: SessionDep, now: NowDep, ctx: ContextDep, principal: PrincipalDep,
    department: Annotated[Short | None, Query()] = None,
    state: Annotated[Short | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
) -> RoundListPublic:
    """Rounds, newest due first, by department or state."""
    require_inspection_reader(principal)
    if department is not None:
        check_department(ctx.runtime.policies, department)
    if state is not None and state not in ROUND.states:
        raise BadInput(f"state: '{state}' is not a state ({', '.join(ROUND.states)})",
                       field="state")
    rows = list_rounds(session, department=department, state=state, limit=limit)
    return round_list_document(session, rows, now)


@router.post("/rounds", status_code=201)
def open_round_route(body: OpenRound, session: SessionDep, now: NowDep, ctx: ContextDep,
                     principal: PrincipalDep) -> RoundPublic:
    """An ad hoc round owed by its inspector."""
    require_inspector(principal)
    if body.due is not None and body.due.utcoffset() is None:
        raise BadInput("due: give the time with its offset (e.g. +00:00)", field="due")
    case, row = open_round(session, policies=ctx.runtime.policies, policy=ctx.deadline_policy,
                           department=body.department.strip(), position=body.position.strip(),
                           inspector=body.inspector, due_at=body.due, actor=principal.actor,
                           now=now)
    return round_document(session, case, row, now)


@router.get("/rounds/{round_id}")
def round_route(round_id: RoundId, session: SessionDep, now: NowDep,
                principal: PrincipalDep) -> RoundPublic:
    """A round: items with results, score and findings."""
    require_inspection_reader(principal)
    case, row = get_round(session, round_id)
    return round_document(session, case, row, now)


@router.post("/rounds/{round_id}/record")
def record_route(round_id: RoundId, body: RecordRound, session: SessionDep, now: NowDep,
                 ctx: ContextDep, principal: PrincipalDep) -> RoundPublic:
    """Record a round against its standard: the score, and a finding per failed item."""
    require_inspector(principal)
    recorded = record_round(
        session, policies=ctx.runtime.policies, policy=ctx.deadline_policy, round_id=round_id,
        results={code.strip(): Result(passed=r.passed, note=r.note)
                 for code, r in body.results.items()},
        owners={code.strip(): name for code, name in body.owners.items()},
        actor=principal.actor, now=now)
    return round_document(session, recorded.case, recorded.round, now)


@router.get("/findings")
def findings_route(
    session: SessionDep, now: NowDep, ctx: ContextDep, principal: PrincipalDep,
    department: Annotated[Short | None, Query()] = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> FindingListPublic:
    """Findings, newest first; `open=true` for the open ones only."""
    require_inspection_reader(principal)
    if department is not None:
        check_department(ctx.runtime.policies, department)
    rows = list_findings(session, department=department, only_open=open_only)
    return FindingListPublic(findings=finding_documents(session, rows, now))


@router.post("/findings/{finding_id}/close")
def close_finding_route(finding_id: FindingId, body: CloseFinding, session: SessionDep,
                        now: NowDep, ctx: ContextDep, principal: PrincipalDep) -> FindingPublic:
    """Close a finding with what was done; the round closes with its last finding."""
    require_finding_closer(principal)
    row = close_finding(session, policy=ctx.deadline_policy, finding_id=finding_id,
                        action=body.action, actor=principal.actor, now=now)
    return finding_documents(session, [row], now)[0]
