"""The audit findings a supplier owes, in its portal (docs/architecture.md, "The supplier
portal"): one audit as the supplier sees it (/portal/audits/{id}) with what was found, by when
and whether it is late, the answers it sent and why one was sent back, the form that sends
its action and evidence for the quality lead's review, and the audit's files panel for the
evidence files. The rules stay in submissions.findings; another supplier's audit or finding
answers as one that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.scope import visible_case
from capaflow.audits import load_audit_policy, show_audit
from capaflow.audits.service import LIFECYCLE
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.models import Submission
from capaflow.serving.context import ApiContext, NowDep, SessionDep
from capaflow.serving.fields import MAX_ID, CaseId
from capaflow.submissions import (
    FINDING_ANSWER,
    answer_finding,
    case_submissions,
    finding_id_of,
    visible_finding,
)
from capaflow.submissions.findings import MAX_ACTION, MAX_EVIDENCE
from capaflow.web.auth import SupplierDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.files import files_context
from capaflow.web.forms import FormDep, form_text
from capaflow.web.quality_forms import Problem
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)


def _answers(session: Session, case_id: int) -> dict[int, list[Submission]]:
    found: dict[int, list[Submission]] = {}
    for s in case_submissions(session, case_id=case_id):
        if s.trigger == FINDING_ANSWER:
            found.setdefault(finding_id_of(s), []).append(s)
    return found


def audit_page(request: Request, session: Session, *, principal: Principal, now: datetime,
               case_id: int, status: int = 200, problem: Problem | None = None,
               kept: dict[str, str] | None = None, file_problem: CapaError | None = None,
               ) -> HTMLResponse:
    """The audit's portal page; `file_problem`: a refused upload of evidence, shown beside
    the files form (web/pages/attachments.py)."""
    case = visible_case(session, principal, case_id)
    if case.lifecycle != LIFECYCLE:
        raise NotFound(f"audit {case_id} does not exist", field="case")
    view = show_audit(session, case_id=case_id)
    ctx: ApiContext = request.app.state.capa
    # What the auditor checked, in the checklist's words rather than its item ids.
    checked = {i.id: i.text for i in load_audit_policy(ctx.policies).checklist}
    return page(request, "portal_audit.html", principal=principal, now=now, status=status,
                view=view, case=case, answers=_answers(session, case_id), problem=problem,
                kept=kept or {}, max_action=MAX_ACTION, max_evidence=MAX_EVIDENCE,
                checked=checked,
                **files_context(request, session, principal, case_id, file_problem))


@router.get("/portal/audits/{case_id}")
def portal_audit(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                 principal: SupplierDep) -> Response:
    return audit_page(request, session, principal=principal, now=now, case_id=case_id)


@router.post("/portal/findings/{finding_id}/answer", dependencies=[CsrfChecked])
def portal_answer(request: Request, session: SessionDep, now: NowDep, principal: SupplierDep,
                  form: FormDep, finding_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    # Another supplier's finding is a 404 before anything of the form is looked at.
    finding = visible_finding(session, principal, finding_id)
    kept = {"finding": str(finding_id), "action": form_text(form, "action"),
            "evidence": form_text(form, "evidence")}
    try:
        answer_finding(session, principal=principal, finding_id=finding_id,
                       action=kept["action"], evidence=kept["evidence"], now=now)
    except (BadInput, Conflict) as exc:
        session.rollback()  # nothing was written; make sure of it before the page renders
        problem = Problem.of(exc, f"answer-{finding_id}")
        return audit_page(request, session, principal=principal, now=now,
                           case_id=finding.case_id, status=problem.status, problem=problem,
                           kept=kept)
    flash(request, f"Your answer to finding #{finding_id} was sent to the quality team for "
                   "review.")
    return RedirectResponse(f"/portal/audits/{finding.case_id}#finding-{finding_id}", 303)


@router.get("/portal/findings/{finding_id}/answer")
def answer_refreshed(session: SessionDep, principal: SupplierDep,
                     finding_id: int = Path(ge=1, le=MAX_ID)) -> RedirectResponse:
    """Refreshing after a refused answer asks for the audit page again, not a 405."""
    finding = visible_finding(session, principal, finding_id)
    return RedirectResponse(f"/portal/audits/{finding.case_id}#finding-{finding_id}", 303)
