"""/cases: open, list, show, advance, report — through statemachines.engine, as the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from accounts import Principal
from api.context import ContextDep, NowDep, PrincipalDep, SessionDep, WriterDep
from api.errors import forbidden
from api.schemas import MAX_ID, Advance, OpenCase, Short
from api.scope import supplier_filter, visible_case
from calendars import isoformat
from cli.cases import _step_json  # the CLI's document, so both answer the same JSON
from cli.common import Env
from cli.views import case_json, deadline_json, event_json
from errors import BadInput
from models import Supplier
from models.queries import case_deadlines, case_events, list_cases, next_due, suppliers_by_id
from reports import markdown
from statemachines import LIFECYCLES
from statemachines.engine import StepResult, advance, open_case
from suppliers.registry import get_supplier

router = APIRouter(prefix="/cases", tags=["cases"])

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="Case number.")]
# The steps a supplier answers in its portal; accepting, rejecting, closing and cancelling
# stay with the quality team.
SUPPLIER_TRIGGERS = ("contain", "find_root_cause", "apply_short_term_fix",
                     "implement_countermeasure")


def _step_document(result: StepResult, now: datetime, supplier: Supplier | None) -> Any:
    document = _step_json(result, Env(True, now_text=isoformat(now)))
    document["case"]["supplier"] = supplier.code if supplier else None
    return document


@router.get("")
def list_route(
    session: SessionDep,
    now: NowDep,
    principal: PrincipalDep,
    state: Annotated[Short | None, Query()] = None,
    supplier: Annotated[Short | None, Query(description="Supplier code.")] = None,
    lifecycle: Annotated[Short | None, Query()] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 500,
) -> list[dict[str, Any]]:
    """Cases, filtered by state, supplier, lifecycle or overdue (a supplier sees its own)."""
    if lifecycle is not None and lifecycle not in LIFECYCLES:
        raise BadInput(f"lifecycle: '{lifecycle}' is not one of {', '.join(LIFECYCLES)}",
                       field="lifecycle")
    known_states = {s for lc in LIFECYCLES.values() for s in lc.states}
    if state is not None and state not in known_states:
        raise BadInput(f"state: '{state}' is not a state ({', '.join(sorted(known_states))})",
                       field="state")
    code = supplier_filter(principal, supplier)
    supplier_id = get_supplier(session, code).id if code else None
    cases = list_cases(session, now=now, state=state, supplier_id=supplier_id,
                       lifecycle=lifecycle, overdue=overdue, limit=limit)
    due = next_due(session, [c.id for c in cases if c.id is not None])
    suppliers = suppliers_by_id(session, {c.supplier_id for c in cases if c.supplier_id})
    rows = []
    for case in cases:
        row = case_json(case, suppliers.get(case.supplier_id) if case.supplier_id else None)
        nxt = due.get(case.id) if case.id is not None else None
        row["next_deadline"] = deadline_json(nxt, now) if nxt else None
        rows.append(row)
    return rows


@router.post("", status_code=201)
def open_route(
    body: OpenCase, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep
) -> Any:
    """Open a case (D0-D2); an 8D case starts in containment with its 24 h clock running."""
    result = open_case(
        session, lifecycle=body.lifecycle.lower(), title=body.title,
        supplier_code=body.supplier, part=body.part, defect_code=body.defect_code,
        severity=body.severity.lower(), complex_cause=body.complex, owner=body.owner,
        team=body.team, problem=body.problem, actor=writer.actor, now=now,
        policy=ctx.deadline_policy,
    )
    supplier = session.get(Supplier, result.case.supplier_id) if result.case.supplier_id else None
    return _step_document(result, now, supplier)


@router.get("/{case_id}")
def show_route(
    case_id: CaseId, session: SessionDep, now: NowDep, principal: PrincipalDep
) -> dict[str, Any]:
    """A case: its state, what it owes and by when, and its events."""
    case = visible_case(session, principal, case_id)
    supplier = session.get(Supplier, case.supplier_id) if case.supplier_id else None
    document = case_json(case, supplier)
    document["deadlines"] = [deadline_json(d, now) for d in case_deadlines(session, case_id)]
    document["events"] = [event_json(e) for e in case_events(session, case_id)]
    return document


def _may_advance(principal: Principal, trigger: str) -> None:
    if principal.is_supplier:
        if trigger not in SUPPLIER_TRIGGERS:
            raise forbidden(
                f"a supplier may only take the steps {', '.join(SUPPLIER_TRIGGERS)}"
            )
    elif not principal.can_write:
        raise forbidden(f"the role {principal.role} may not change data")


@router.post("/{case_id}/advance")
def advance_route(
    case_id: CaseId, body: Advance, session: SessionDep, now: NowDep, ctx: ContextDep,
    principal: PrincipalDep,
) -> Any:
    """Take one step of the case's lifecycle, with the content the step needs."""
    trigger = body.trigger.strip().lower()
    if principal.is_supplier:
        # Another supplier's case is a 404 whatever the step, before the step is looked at.
        visible_case(session, principal, case_id)
    _may_advance(principal, trigger)
    result = advance(
        session, case_id=case_id, trigger=trigger, fields=body.fields, note=body.note,
        actor=principal.actor, now=now, policy=ctx.deadline_policy,
        expected_version=body.version,
    )
    supplier = session.get(Supplier, result.case.supplier_id) if result.case.supplier_id else None
    return _step_document(result, now, supplier)


@router.get("/{case_id}/report")
def report_route(
    case_id: CaseId, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """The case as a Markdown 8D report (or PDCA record)."""
    case = visible_case(session, principal, case_id)
    supplier = session.get(Supplier, case.supplier_id) if case.supplier_id else None
    text = markdown.render(case, supplier, case_events(session, case_id),
                           case_deadlines(session, case_id))
    return {"case": case_id, "format": "markdown", "report": text}
