"""/audits: supplier audits (5M1E) with their findings, read-only, as `capa supplier-audit
show` (a supplier sees its own). Planning and conducting them stays with the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from capaflow.accounts.scope import supplier_filter, visible_case
from capaflow.audits import show_audit
from capaflow.audits.service import LIFECYCLE
from capaflow.documents.audits import AuditPublic, audit_document
from capaflow.errors import BadInput
from capaflow.models.queries import list_cases
from capaflow.serving.context import NowDep, PrincipalDep, SessionDep
from capaflow.serving.fields import MAX_ID, Short
from capaflow.statemachines import LIFECYCLES
from capaflow.suppliers.registry import get_supplier

router = APIRouter(prefix="/audits", tags=["audits"])


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
