"""The defect page (/defects): the form that records a defect of a supplier's part through the
recurrence intake (intake.record_defect, as `capa defect record`), what the intake did with it
(counted on the open case, the case reopened, a new case opened) and how the rule classified
it (batch or sporadic), and the latest defects recorded.

A refusal shows the form again with the field named and what was typed; nothing is written.
Writers record; a viewer reads the list.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.deadlines.policy import SEVERITIES
from capaflow.documents.defects import DefectRecordPublic, defect_record_document
from capaflow.errors import BadInput, NotFound
from capaflow.intake import load_intake_policy, record_defect
from capaflow.intake.classification import classification_of, parse_lot_size
from capaflow.intake.recurrence import parse_occurred_at, parse_quantity
from capaflow.models import Case, DefectEvent, Supplier
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.suppliers.registry import list_suppliers
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep
from capaflow.web.quality_forms import (
    Problem,
    kept_values,
    require_quality_reader,
    require_quality_writer,
)
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

FIELDS = ("supplier", "part", "defect_code", "quantity", "occurred_at", "source", "severity",
          "lot_size", "note")
RECENT = 20
SOURCE_WORDS = {"line": "On the line", "incoming": "At incoming inspection",
                "customer": "By a customer"}
OUTCOME_WORDS = {"occurrence": "counted on its open case", "reopened": "case reopened",
                 "new_case": "new case opened", "recorded": "recorded, no case opened"}


def _recent(session: Session) -> list[tuple[DefectEvent, Supplier, Case | None, str | None]]:
    """The latest defects, with their case and how the rule classified the case."""
    rows = session.exec(
        select(DefectEvent, Supplier, Case)
        .join(Supplier, col(Supplier.id) == col(DefectEvent.supplier_id))
        .join(Case, col(Case.id) == col(DefectEvent.case_id), isouter=True)
        .order_by(col(DefectEvent.id).desc()).limit(RECENT)
    )
    return [(defect, supplier, case, classification_of(case) if case else None)
            for defect, supplier, case in rows.all()]


def _defects_page(
    request: Request, session: Session, *, principal: Principal, now: datetime,
    status: int = 200, problem: Problem | None = None, kept: dict[str, str] | None = None,
) -> HTMLResponse:
    return page(request, "defects.html", principal=principal, now=now, status=status,
                suppliers=list_suppliers(session), sources=SOURCE_WORDS, severities=SEVERITIES,
                problem=problem, kept=kept or {"source": "line", "severity": "major",
                                                "quantity": "1"},
                defects=_recent(session), outcomes=OUTCOME_WORDS,
                can_write=principal.can_write)


@router.get("/defects/new")
def defects_page(request: Request, session: SessionDep, now: NowDep,
                 principal: StaffDep) -> Response:
    require_quality_reader(principal)
    return _defects_page(request, session, principal=principal, now=now)


def said(document: DefectRecordPublic) -> str:
    """What the intake did with the defect, in the quality lead's words."""
    defect = document.defect
    text = (f"Defect #{defect.id} recorded ({defect.quantity} × {defect.defect_code} on "
            f"{defect.part} from {defect.supplier}): ")
    if document.classification:
        text += f"classified as {document.classification.replace('_', ' ')}; "
    if document.outcome == "new_case":
        text += f"case #{document.case_id} opened"
        if document.linked_case_id:
            text += f", following case #{document.linked_case_id}"
    elif document.outcome == "reopened":
        text += (f"the countermeasure was ineffective: case #{document.case_id} reopened "
                 "to containment")
    elif document.outcome == "occurrence":
        text += f"counted as one more occurrence on case #{document.case_id}"
    else:
        text += "recorded, no case opened"
    hold = document.inspection_hold
    return f"{text}. The next {hold.lots_remaining} lots of {hold.part} are inspected 100 %."


@router.post("/defects/new", dependencies=[CsrfChecked])
def record_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                  principal: StaffDep, form: FormDep) -> Response:
    """Record one defect, as `capa defect record`; the same checks, in the same order."""
    require_quality_writer(principal)
    kept = kept_values(form, FIELDS)
    try:
        if not kept["quantity"].strip():
            raise BadInput("quantity: how many defective parts (at least 1)", field="quantity")
        quantity = parse_quantity(kept["quantity"])
        lot_size = parse_lot_size(kept["lot_size"])
        at = kept["occurred_at"].strip()
        occurred_at = parse_occurred_at(at, now) if at else now
        result = record_defect(
            session, supplier_code=kept["supplier"].strip(), part=kept["part"],
            defect_code=kept["defect_code"], quantity=quantity, occurred_at=occurred_at,
            source=kept["source"].strip() or "line", note=kept["note"].strip() or None,
            actor=principal.actor, now=now, policy=ctx.deadline_policy,
            intake_policy=load_intake_policy(ctx.policies.get("intake")),
            severity=(kept["severity"].strip() or "major").lower(), lot_size=lot_size,
        )
        document = defect_record_document(result, now)
    except (BadInput, NotFound) as exc:
        session.rollback()
        problem = Problem.of(exc, "record")
        return _defects_page(request, session, principal=principal, now=now, kept=kept,
                             status=problem.status, problem=problem)
    flash(request, said(document))
    return RedirectResponse("/defects/new#recent", 303)
