"""/audits: supplier audits (5M1E) with their findings, as `capa supplier-audit show` (a
supplier sees its own), and the quality team's writers planning and conducting them, raising
and closing findings, as `capa supplier-audit plan|conduct|finding add|finding close`.
Closing or cancelling the audit is a signed step of its case (POST /cases/{id}/steps)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from capaflow.accounts.scope import supplier_filter, visible_case
from capaflow.api.schemas import AuditConduct, AuditPlan, FindingClose, NewFinding
from capaflow.audits import (
    Failure,
    add_finding,
    close_finding,
    conduct_audit,
    load_audit_policy,
    plan_audit,
    show_audit,
)
from capaflow.audits.service import LIFECYCLE
from capaflow.calendars import parse_instant
from capaflow.documents.audits import AuditPublic, audit_document
from capaflow.errors import BadInput
from capaflow.models.queries import list_cases
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep, WriterDep
from capaflow.serving.fields import MAX_ID, Short
from capaflow.statemachines import LIFECYCLES
from capaflow.suppliers.registry import get_supplier

router = APIRouter(prefix="/audits", tags=["audits"])

AuditId = Annotated[int, Path(ge=1, le=MAX_ID, description="The audit's case number.")]


@router.get("", response_model=list[AuditPublic])
def list_route(
    session: SessionDep,
    now: NowDep,
    principal: PrincipalDep,
    supplier: Annotated[Short | None, Query(description="Supplier code.")] = None,
    state: Annotated[Short | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditPublic]:
    """Audits, oldest first, each as `capa supplier-audit show --json` shows it: state and
    every finding with owner, due date and status."""
    states = LIFECYCLES[LIFECYCLE].states
    if state is not None and state not in states:
        raise BadInput(f"state: '{state}' is not a state of an audit ({', '.join(states)})",
                       field="state")
    code = supplier_filter(principal, supplier)
    supplier_id = get_supplier(session, code).id if code else None
    cases = list_cases(session, now=now, state=state, supplier_id=supplier_id,
                       lifecycle=LIFECYCLE, limit=limit)
    # One show per audit: a site holds tens of audits, not thousands, and show_audit is
    # where the findings are ordered (by 5M1E factor).
    return [audit_document(show_audit(session, case_id=c.id), now) for c in cases
            if c.id is not None]


@router.get("/{case_id}", response_model=AuditPublic)
def show_route(
    case_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The audit's case number.")],
    session: SessionDep,
    now: NowDep,
    principal: PrincipalDep,
) -> AuditPublic:
    """An audit: its state and every finding (422 for a case that is not an audit)."""
    visible_case(session, principal, case_id)
    return audit_document(show_audit(session, case_id=case_id), now)


@router.post("", status_code=201, response_model=AuditPublic)
def plan_route(body: AuditPlan, session: SessionDep, now: NowDep, ctx: ContextDep,
               writer: WriterDep) -> AuditPublic:
    """Plan an on-site audit of a supplier (an audit case in `planned`)."""
    result = plan_audit(session, supplier_code=body.supplier, title=body.title,
                        owner=body.owner, scope=body.scope, actor=writer.actor, now=now,
                        policy=ctx.deadline_policy)
    assert result.case.id is not None
    return audit_document(show_audit(session, case_id=result.case.id), now)


@router.post("/{case_id}/conduct", response_model=AuditPublic)
def conduct_route(case_id: AuditId, body: AuditConduct, session: SessionDep, now: NowDep,
                  ctx: ContextDep, writer: WriterDep) -> AuditPublic:
    """Record the checklist results: failed items become findings; with none failed the
    audit closes at once."""
    failures = [Failure(item=f.item, description=f.description) for f in body.failures]
    conduct_audit(session, case_id=case_id, auditors=body.auditors, failures=failures,
                  owner=body.owner, site=body.site, actor=writer.actor, now=now,
                  policy=ctx.deadline_policy, audit_policy=load_audit_policy(ctx.policies))
    return audit_document(show_audit(session, case_id=case_id), now)


@router.post("/{case_id}/findings", status_code=201, response_model=AuditPublic)
def add_finding_route(case_id: AuditId, body: NewFinding, session: SessionDep, now: NowDep,
                      ctx: ContextDep, writer: WriterDep) -> AuditPublic:
    """One more finding on a conducted audit."""
    try:
        due = parse_instant(body.due, field="due") if body.due else None
    except ValueError as exc:
        raise BadInput(str(exc), field="due") from exc
    failure = Failure(item=body.item, description=body.description, owner=body.owner,
                      due_at=due)
    add_finding(session, case_id=case_id, failure=failure, actor=writer.actor, now=now,
                policy=ctx.deadline_policy, audit_policy=load_audit_policy(ctx.policies))
    return audit_document(show_audit(session, case_id=case_id), now)


@router.post("/findings/{finding_id}/close", response_model=AuditPublic)
def close_finding_route(
    finding_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The finding's number.")],
    body: FindingClose, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep,
) -> AuditPublic:
    """Close a finding with its resolution: the action taken and its evidence."""
    _step, finding = close_finding(session, finding_id=finding_id, resolution=body.resolution,
                                   actor=writer.actor, now=now, policy=ctx.deadline_policy)
    return audit_document(show_audit(session, case_id=finding.case_id), now)
