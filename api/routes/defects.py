"""/defects: record a defect through the recurrence intake, as `capa defect record`."""

from __future__ import annotations

from fastapi import APIRouter

from capaflow.api.schemas import NewDefect
from capaflow.documents.defects import DefectRecordPublic, defect_record_document
from capaflow.intake import load_intake_policy, record_defect
from capaflow.intake.recurrence import parse_occurred_at
from capaflow.serving.context import ContextDep, NowDep, SessionDep, WriterDep

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
