"""/defects: record a defect through the recurrence intake, as `capa defect record`; the
nonconformance list and its triage (reclassify, merge, close), as `capa defect list` and the
rest (docs/architecture.md, "Defect triage")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from capaflow.api.schemas import (
    CloseDefects,
    MergeDefects,
    NewDefect,
    PartsReceivedNote,
    ReclassifyDefect,
)
from capaflow.documents.defects import (
    DefectRecordPublic,
    PartsReceivedPublic,
    defect_record_document,
    parts_received_document,
)
from capaflow.documents.triage import (
    NonconformancePagePublic,
    TriagePublic,
    nonconformance_page_document,
    triage_document,
)
from capaflow.intake import load_intake_policy, record_defect
from capaflow.intake.classification import record_parts_received
from capaflow.intake.nonconformances import (
    PAGE_LIMIT,
    PAGE_SIZE,
    check_filters,
    list_nonconformances,
)
from capaflow.intake.recurrence import parse_occurred_at
from capaflow.intake.triage import close_defects, merge_defects, reclassify_defect
from capaflow.serving.context import ContextDep, NowDep, SessionDep, WriterDep, get_staff
from capaflow.serving.fields import MAX_ID, CaseId

router = APIRouter(prefix="/defects", tags=["defects"])


@router.post("", status_code=201, response_model=DefectRecordPublic)
def record_route(
    body: NewDefect, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep
) -> DefectRecordPublic:
    """Count the defect on its open case, reopen a case it proves ineffective, or open one."""
    occurred_at = parse_occurred_at(body.occurred_at, now) if body.occurred_at else now
    result = record_defect(
        session, supplier_code=body.supplier, part=body.part, defect_code=body.defect_code,
        quantity=body.quantity, occurred_at=occurred_at, source=body.source, note=body.note,
        actor=writer.actor, now=now, policy=ctx.deadline_policy,
        intake_policy=load_intake_policy(ctx.policies.get("intake")),
        severity=body.severity.strip().lower(), lot_size=body.lot_size,
    )
    return defect_record_document(result, now)


@router.get("", response_model=NonconformancePagePublic, dependencies=[Depends(get_staff)])
def list_route(
    session: SessionDep,
    supplier: Annotated[str | None, Query(max_length=40)] = None,
    part: Annotated[str | None, Query(max_length=100)] = None,
    classification: Annotated[str | None, Query(max_length=20)] = None,
    unlinked: bool = False,
    state: Annotated[str, Query(max_length=20)] = "open",
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    per_page: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = PAGE_SIZE,
) -> NonconformancePagePublic:
    """The nonconformance list, as `capa defect list`: each defect, its class and why."""
    filters = check_filters(supplier=supplier, part=part, classification=classification,
                            unlinked=unlinked, state=state)
    return nonconformance_page_document(
        list_nonconformances(session, filters, page=page, per_page=per_page))


@router.post("/{defect_id}/reclassify", response_model=TriagePublic)
def reclassify_route(
    defect_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: ReclassifyDefect,
    session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep,
) -> TriagePublic:
    """The quality lead's class for one defect, as `capa defect reclassify`."""
    return triage_document(reclassify_defect(
        session, defect_id=defect_id, kind=body.as_, reason=body.reason,
        open_new_case=body.open_case, actor=writer.actor, now=now,
        policy=ctx.deadline_policy,
        intake_policy=load_intake_policy(ctx.policies.get("intake"))))


@router.post("/merge", response_model=TriagePublic)
def merge_route(
    body: MergeDefects, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep,
) -> TriagePublic:
    """Several defects of one supplier into one case, as `capa defect merge`; signed with
    `password` when it cancels a case left without defects."""
    return triage_document(merge_defects(
        session, defect_ids=list(body.defects), case_id=body.case, reason=body.reason,
        principal=writer, password=body.password, now=now, policy=ctx.deadline_policy))


@router.post("/close", response_model=TriagePublic)
def close_route(
    body: CloseDefects, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep,
) -> TriagePublic:
    """Several defects marked handled, as `capa defect close`."""
    return triage_document(close_defects(
        session, defect_ids=list(body.defects), reason=body.reason,
        cancel_cases=body.cancel_cases, principal=writer, password=body.password, now=now,
        policy=ctx.deadline_policy))


@router.post("/cases/{case_id}/parts-received", response_model=PartsReceivedPublic)
def parts_received_route(
    case_id: CaseId, body: PartsReceivedNote, session: SessionDep, now: NowDep,
    ctx: ContextDep, writer: WriterDep,
) -> PartsReceivedPublic:
    """The parts the case owed arrived, as `capa defect parts-received` (the classification
    itself is POST /cases/{case_id}/classification); 409 when none are owed."""
    result = record_parts_received(session, case_id=case_id, note=body.note,
                                   actor=writer.actor, now=now, policy=ctx.deadline_policy)
    return parts_received_document(result, now)
