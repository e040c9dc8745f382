"""The classification panel's forms on an 8D case's page: the lead's classification
(`capa defect classify`) and the parts the supplier owed received (`capa defect
parts-received`), through intake.classification as the CLI (docs/architecture.md,
"Supplier-quality forms").

Writers only (a viewer: 403, nothing written). A refusal shows the case page again with the
field named and what was typed: 422 bad input, 404 no such case, 409 a case that is not an
open supplier 8D case, already of that class, or owes no parts.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from capaflow.errors import BadInput, Conflict
from capaflow.intake import load_intake_policy
from capaflow.intake.classification import override_classification, record_parts_received
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import http_status
from capaflow.serving.fields import CaseId
from capaflow.web.auth import StaffDep
from capaflow.web.case_classification import CLASS_WORDS
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, Kept, form_text
from capaflow.web.pages.cases import Problem, _case_page
from capaflow.web.quality_forms import require_quality_writer
from capaflow.web.render import flash

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.post("/cases/{case_id}/classify", dependencies=[CsrfChecked])
def classify_form(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                  ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """The lead's classification, with its reason, as `capa defect classify`."""
    require_quality_writer(principal)
    values = {"as": form_text(form, "as"), "reason": form_text(form, "reason")}
    try:
        result = override_classification(
            session, case_id=case_id, kind=values["as"], reason=values["reason"],
            actor=principal.actor, now=now, policy=ctx.deadline_policy,
            intake_policy=load_intake_policy(ctx.policies.get("intake")),
        )
    except (BadInput, Conflict) as exc:  # no such case: the page's 404
        session.rollback()
        return _case_page(request, session, principal=principal, now=now,
                          policy=ctx.deadline_policy, case_id=case_id,
                          status=http_status(exc), problem=Problem.of(exc, "classify"),
                          kept=Kept(form="classify", values=values))
    said = f"Case #{case_id} classified {CLASS_WORDS.get(result.classification, '')}"
    if result.previous:
        said += f" (was {CLASS_WORDS.get(result.previous, result.previous)})"
    flash(request, said + ".")
    return RedirectResponse(f"/cases/{case_id}#classification", 303)


@router.post("/cases/{case_id}/parts-received", dependencies=[CsrfChecked])
def parts_received_form(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                        ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """The parts the supplier owed arrived: its good_parts / replacement deadline is met."""
    require_quality_writer(principal)
    values = {"note": form_text(form, "note")}
    try:
        result = record_parts_received(
            session, case_id=case_id, note=values["note"].strip() or None,
            actor=principal.actor, now=now, policy=ctx.deadline_policy,
        )
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _case_page(request, session, principal=principal, now=now,
                          policy=ctx.deadline_policy, case_id=case_id,
                          status=http_status(exc), problem=Problem.of(exc, "parts"),
                          kept=Kept(form="parts", values=values))
    met = ", ".join(d.title for d in result.met) or "nothing left owed"
    flash(request, f"Case #{case_id}: parts received ({met}).")
    return RedirectResponse(f"/cases/{case_id}#classification", 303)
