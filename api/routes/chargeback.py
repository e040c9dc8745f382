"""Charge-back: the costs recorded on a case (`capa cost add|list`) and a supplier's monthly
statement (`capa chargeback`), through the chargeback services, as the CLI.

A supplier sees the costs of its own cases and its own statement: what it is billed for.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from capaflow.accounts.scope import supplier_filter, visible_case
from capaflow.api.schemas import NewCost
from capaflow.calendars import parse_instant
from capaflow.chargeback import add_cost, build_statement, case_costs
from capaflow.documents.costs import (
    CostPublic,
    StatementPublic,
    cost_document,
    statement_document,
)
from capaflow.errors import BadInput
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep, require_writer
from capaflow.serving.fields import MAX_ID, Short

router = APIRouter(tags=["chargeback"])

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="Case number.")]


@router.get("/cases/{case_id}/costs", response_model=list[CostPublic])
def list_costs_route(
    case_id: CaseId, session: SessionDep, principal: PrincipalDep
) -> list[CostPublic]:
    """The costs recorded on a case, oldest first."""
    visible_case(session, principal, case_id)
    return [cost_document(c) for c in case_costs(session, case_id)]


@router.post("/cases/{case_id}/costs", status_code=201, response_model=CostPublic)
def add_cost_route(
    case_id: CaseId, body: NewCost, session: SessionDep, now: NowDep, principal: PrincipalDep
) -> CostPublic:
    """Record a cost a supplier-caused case incurred (sorting, rework, line stop, scrap...)."""
    # Another supplier's case is a 404 before the supplier's own is a 403 (accounts.scope).
    visible_case(session, principal, case_id)
    writer = require_writer(principal)
    try:
        incurred = parse_instant(body.at, field="at") if body.at is not None else None
    except ValueError as exc:
        raise BadInput(str(exc), field="at") from exc
    cost = add_cost(session, case_id=case_id, kind=body.kind, amount=body.amount,
                    currency=body.currency, incurred_at=incurred, note=body.note,
                    actor=writer.actor, now=now)
    return cost_document(cost)


@router.get("/chargeback", response_model=StatementPublic)
def statement_route(
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    supplier: Annotated[Short, Query(description="Supplier code.")],
    month: Annotated[Short, Query(description="YYYY-MM.")],
) -> StatementPublic:
    """The supplier's charge-back statement for a month: per case and kind, totals per
    currency (the JSON of `capa chargeback --json`)."""
    code = supplier_filter(principal, supplier)
    assert code is not None  # the query parameter is required
    statement = build_statement(session, supplier_code=code, month=month, now=now,
                                zone=ctx.deadline_policy.calendar.zone)
    return statement_document(statement)
