"""/inspections: incoming lots (record, list, show) and the plan for the next lot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlmodel import col, select

from capaflow.accounts.scope import supplier_filter, visible_lot, visible_supplier
from capaflow.api.schemas import NewLot, ResumeInspection
from capaflow.documents.inspections import (
    InspectionResumedPublic,
    LotRecordPublic,
    PlanPublic,
    StoredLotPublic,
    lot_record_document,
    plan_document,
    resumed_document,
    stored_lot_document,
)
from capaflow.inspection import load_inspection_policy, plan_for, record_lot, resume_inspection
from capaflow.inspection.values import parse_inspected_at
from capaflow.intake import load_intake_policy
from capaflow.models import InspectionLot, Supplier
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep, WriterDep
from capaflow.serving.fields import MAX_ID, Short
from capaflow.suppliers.registry import get_supplier

router = APIRouter(prefix="/inspections", tags=["inspections"])


@router.get("/plan", response_model=PlanPublic)
def plan_route(
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    supplier: Annotated[Short, Query(description="Supplier code.")],
    part: Annotated[Short, Query()],
    lot_size: Annotated[int, Query(ge=0, le=MAX_ID)],
    aql: Annotated[Short | None, Query()] = None,
    level: Annotated[Short | None, Query()] = None,
) -> PlanPublic:
    """How to inspect the supplier's next lot of the part: sample size, Ac, Re, severity."""
    visible_supplier(session, principal, supplier)
    plan = plan_for(session, supplier_code=supplier, part=part, lot_size=lot_size, aql=aql,
                    level=level, now=now,
                    policy=load_inspection_policy(ctx.policies.get("inspection")))
    return plan_document(plan)


@router.get("", response_model=list[StoredLotPublic])
def list_route(
    session: SessionDep,
    principal: PrincipalDep,
    supplier: Annotated[Short | None, Query(description="Supplier code.")] = None,
    part: Annotated[Short | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[StoredLotPublic]:
    """Recorded lots, newest first (a supplier sees its own)."""
    code = supplier_filter(principal, supplier)
    query = select(InspectionLot, Supplier).join(
        Supplier, col(Supplier.id) == col(InspectionLot.supplier_id)
    )
    if code is not None:
        query = query.where(InspectionLot.supplier_id == get_supplier(session, code).id)
    if part is not None:
        query = query.where(InspectionLot.part == part)
    rows = session.exec(query.order_by(col(InspectionLot.id).desc()).limit(limit))
    return [stored_lot_document(lot, sup) for lot, sup in rows]


@router.get("/{lot_id}", response_model=StoredLotPublic)
def show_route(
    lot_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, principal: PrincipalDep
) -> StoredLotPublic:
    lot = visible_lot(session, principal, lot_id)
    supplier = session.get(Supplier, lot.supplier_id)
    assert supplier is not None
    return stored_lot_document(lot, supplier)


@router.post("", status_code=201, response_model=LotRecordPublic)
def record_route(
    body: NewLot, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep
) -> LotRecordPublic:
    """Record an inspected lot: accepted or rejected by the plan in force, and what followed."""
    inspected_at = parse_inspected_at(body.inspected_at, now) if body.inspected_at else now
    result = record_lot(
        session, supplier_code=body.supplier, part=body.part, lot=body.lot,
        lot_size=body.lot_size, sampled=body.sampled, defects=body.defects,
        defect_code=body.defect_code, aql=body.aql, level=body.level,
        inspected_at=inspected_at, now=now,
        policy=load_inspection_policy(ctx.policies.get("inspection")),
        intake_policy=load_intake_policy(ctx.policies.get("intake")), actor=writer.actor,
        deadline_policy=ctx.deadline_policy, steady_production=not body.irregular_production,
        outgoing_report=body.outgoing_report, certificates=body.certificates,
        production_lot=body.production_lot,
    )
    return lot_record_document(result)


@router.post("/resume", response_model=InspectionResumedPublic)
def resume_route(
    body: ResumeInspection, session: SessionDep, now: NowDep, writer: WriterDep
) -> InspectionResumedPublic:
    """A discontinued part resumed at tightened inspection after the supplier's action
    (ISO 2859-1 9.4), as `capa inspect resume`; 409 unless the part is discontinued."""
    resumed = resume_inspection(session, supplier_code=body.supplier, part=body.part,
                                reason=body.reason, actor=writer.actor, now=now)
    return resumed_document(resumed, actor=writer.actor, now=now)
