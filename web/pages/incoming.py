"""The incoming-inspection page (/lots): the ISO 2859-1 plan for the supplier's next lot of a
part (code letter, sample size, accept and reject numbers, why), the form that records the
inspected lot through inspection.record_lot as `capa inspect record`, and the latest lots.

A refusal shows the page again with the field named and what was typed (422 bad input, 404 a
supplier gone, 409 a lot already recorded); nothing is written. Writers record; a viewer
reads the plan and the lots.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.inspection import (
    InspectionPlan,
    LotResult,
    load_inspection_policy,
    plan_for,
    record_lot,
)
from capaflow.inspection.values import parse_count, parse_inspected_at, parse_yes_no
from capaflow.intake import load_intake_policy
from capaflow.models import InspectionLot, Supplier
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.suppliers.registry import list_suppliers
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.quality_forms import (
    Problem,
    kept_values,
    require_quality_reader,
    require_quality_writer,
)
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

FIELDS = ("supplier", "part", "lot", "lot_size", "sampled", "defects", "defect_code", "aql",
          "level", "inspected_at", "irregular", "outgoing_report", "certificates",
          "production_lot")
RECENT = 20
SEVERITY_WORDS = {"normal": "normal", "tightened": "tightened", "reduced": "reduced",
                  "100%": "100 % (containment hold)"}


def _recent(session: Session) -> list[tuple[InspectionLot, Supplier]]:
    rows = session.exec(
        select(InspectionLot, Supplier)
        .join(Supplier, col(Supplier.id) == col(InspectionLot.supplier_id))
        .order_by(col(InspectionLot.id).desc()).limit(RECENT)
    )
    return list(rows.all())


def _lots_page(
    request: Request, session: Session, *, principal: Principal, now: datetime,
    plan: InspectionPlan | None = None, status: int = 200, problem: Problem | None = None,
    kept: dict[str, str] | None = None, **extra: Any,
) -> HTMLResponse:
    """`extra`: what another form of the page shows (the CSV import's summary)."""
    return page(request, "lots.html", principal=principal, now=now, status=status,
                suppliers=list_suppliers(session), plan=plan, problem=problem,
                kept=kept or {}, lots=_recent(session), severity_words=SEVERITY_WORDS,
                can_write=principal.can_write, **extra)


@router.get("/lots")
def lots_page(
    request: Request, session: SessionDep, now: NowDep, ctx: ContextDep, principal: StaffDep,
    supplier: str = Query("", max_length=200), part: str = Query("", max_length=200),
    lot_size: str = Query("", max_length=20), aql: str = Query("", max_length=20),
    level: str = Query("", max_length=20),
) -> Response:
    """The page; with supplier, part and lot size, the plan for the next lot first."""
    require_quality_reader(principal)
    kept = {"supplier": supplier, "part": part, "lot_size": lot_size, "aql": aql,
            "level": level}
    if not (supplier and part and lot_size):
        return _lots_page(request, session, principal=principal, now=now, kept=kept)
    try:
        plan = plan_for(
            session, supplier_code=supplier, part=part,
            lot_size=parse_count("lot_size", lot_size, minimum=2), aql=aql or None,
            level=level or None, now=now,
            policy=load_inspection_policy(ctx.policies.get("inspection"),
                                          timezone=ctx.deadline_policy.calendar.timezone),
        )
    except (BadInput, NotFound) as exc:
        problem = Problem.of(exc, "plan")
        return _lots_page(request, session, principal=principal, now=now, kept=kept,
                          status=problem.status, problem=problem)
    return _lots_page(request, session, principal=principal, now=now, plan=plan, kept=kept)


def said(result: LotResult) -> str:
    """What recording the lot did, in the quality lead's words."""
    lot, plan = result.lot, result.plan
    verdict = "accepted" if result.accepted else "rejected"
    severity = SEVERITY_WORDS.get(plan.severity, plan.severity)
    parts = [f"Lot {lot.lot} of {result.supplier.code} {lot.part} {verdict}: {lot.defects} "
             f"nonconforming in {lot.sample_size} inspected ({severity} "
             f"inspection, accept with at most {plan.acceptance_number})."]
    parts.extend(f"Inspection switched from {s.from_severity} to {s.to_severity}: {s.reason}."
                 for s in result.switches)
    if result.case_id is not None:
        parts.append(f"Case #{result.case_id} opened or counted; the supplier was notified.")
    if result.hold_after is not None:
        parts.append(f"The next {result.hold_after.lots_remaining} lots are inspected 100 %.")
    if result.delivery.missing or result.delivered_after is not None:
        parts.append("The delivery was flagged (documents missing or out of production-lot "
                     "order); the verdict stands.")
    return " ".join(parts)


@router.post("/lots", dependencies=[CsrfChecked])
def record_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                  principal: StaffDep, form: FormDep) -> Response:
    """Record an inspected lot, as `capa inspect record`; the same checks, in the same order."""
    require_quality_writer(principal)
    kept = kept_values(form, FIELDS)
    try:
        report_came = parse_yes_no("outgoing_report", kept["outgoing_report"])
        certificates_came = parse_yes_no("certificates", kept["certificates"])
        size = parse_count("lot_size", kept["lot_size"], minimum=2)
        inspected = parse_count("sampled", kept["sampled"], minimum=1)
        found = parse_count("defects", kept["defects"], minimum=0)
        at = kept["inspected_at"].strip()
        inspected_at = parse_inspected_at(at, now) if at else now
        result = record_lot(
            session, supplier_code=kept["supplier"].strip(), part=kept["part"],
            lot=kept["lot"], lot_size=size, sampled=inspected, defects=found,
            defect_code=kept["defect_code"].strip() or None, aql=kept["aql"].strip() or None,
            level=kept["level"].strip() or None, inspected_at=inspected_at, now=now,
            policy=load_inspection_policy(ctx.policies.get("inspection"),
                                          timezone=ctx.deadline_policy.calendar.timezone),
            intake_policy=load_intake_policy(ctx.policies.get("intake")),
            actor=principal.actor, deadline_policy=ctx.deadline_policy,
            steady_production=not form_text(form, "irregular"),
            outgoing_report=report_came, certificates=certificates_came,
            production_lot=kept["production_lot"].strip() or None,
        )
    except (BadInput, NotFound, Conflict) as exc:
        session.rollback()
        problem = Problem.of(exc, "record")
        return _lots_page(request, session, principal=principal, now=now, kept=kept,
                          status=problem.status, problem=problem)
    flash(request, said(result))
    return RedirectResponse("/lots#recent", 303)
