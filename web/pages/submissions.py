"""The quality team's review of supplier submissions: the pending ones, oldest first, and
each beside its case's state, with accept / reject for the roles that may write.

Accepting takes the step through the engine (submissions.accept); rejecting sends the reason
to the supplier (submissions.reject). Both answer with the case page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.caselists.csvexport import to_csv
from capaflow.errors import BadInput, NotFound
from capaflow.models import AuditFinding, Case, Submission, Supplier
from capaflow.models.queries import suppliers_by_id
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import SubmissionId
from capaflow.statemachines import LIFECYCLES
from capaflow.submissions import (
    STEP_NAMES,
    NotPermitted,
    accept,
    finding_id_of,
    is_finding_answer,
    owed_steps,
    pending,
    reject,
    still_open,
)
from capaflow.suppliers.registry import supplier_of
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.quality_forms import require_quality_writer
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

_REASON = 20_000  # longer is refused by the service anyway; the form stops the rest



def _waiting_rows(session: Session) -> list[tuple[Submission, Case | None, Supplier | None]]:
    waiting = pending(session)
    cases = {c.id: c for c in (session.get(Case, i) for i in {s.case_id for s in waiting})
             if c is not None}
    suppliers = suppliers_by_id(session, {c.supplier_id for c in cases.values()
                                          if c.supplier_id is not None})
    rows = []
    for submission in waiting:
        case = cases.get(submission.case_id)
        supplier = suppliers.get(case.supplier_id) if case and case.supplier_id else None
        rows.append((submission, case, supplier))
    return rows


@router.get("/submissions")
def submissions_list(request: Request, session: SessionDep, now: NowDep,
                     principal: StaffDep) -> Response:
    return page(request, "submissions.html", principal=principal, now=now,
                rows=_waiting_rows(session), step_names=STEP_NAMES)


@router.get("/submissions.csv")
def submissions_csv(session: SessionDep, now: NowDep, _principal: StaffDep) -> Response:
    """The submissions waiting for review, as the page lists them, for a spreadsheet."""
    text = to_csv(
        ("Submission", "Case", "Case title", "Supplier", "Step", "Submitted (UTC)", "By"),
        ((s.id, s.case_id, case.title if case else None, supplier.code if supplier else None,
          STEP_NAMES.get(s.trigger, s.trigger), s.submitted_at, s.submitted_by)
         for s, case, supplier in _waiting_rows(session)),
    )
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="submissions-{now:%Y-%m-%d}.csv"'})


def _get(session: Session, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(f"submission {submission_id} does not exist", field="submission")
    return submission


def _submission_page(
    request: Request, session: Session, *, principal: Principal, now: datetime,
    submission: Submission, status: int = 200, problem: BadInput | None = None,
    reason: str = "",
) -> Response:
    case = session.get(Case, submission.case_id)
    assert case is not None  # a foreign key
    supplier = supplier_of(session, case)
    owed = owed_steps(case)
    # Accepting is refused when the case moved on since the supplier saw it: say so up front.
    # A finding answer is refused only once its finding is closed (submissions.findings).
    finding = (session.get(AuditFinding, finding_id_of(submission))
               if is_finding_answer(submission) else None)
    moved_on = submission.status == "pending" and (
        not still_open(session, submission) if finding is not None else
        case.version != submission.case_version or submission.trigger not in owed)
    return page(
        request, "submission.html", principal=principal, now=now, status=status,
        submission=submission, case=case, supplier=supplier, step_names=STEP_NAMES,
        discipline=LIFECYCLES[case.lifecycle].disciplines.get(case.state, case.state),
        moved_on=moved_on, can_write=principal.can_write, problem=problem, reason=reason,
        finding=finding,
    )


@router.get("/submissions/{submission_id}")
def submission_page(submission_id: SubmissionId, request: Request, session: SessionDep,
                    now: NowDep, principal: StaffDep) -> Response:
    return _submission_page(request, session, principal=principal, now=now,
                            submission=_get(session, submission_id))


@router.post("/submissions/{submission_id}/accept", dependencies=[CsrfChecked])
def accept_submission(submission_id: SubmissionId, request: Request, session: SessionDep,
                      now: NowDep, ctx: ContextDep, principal: StaffDep) -> Response:
    require_quality_writer(principal)
    try:
        accepted = accept(session, submission_id=submission_id, principal=principal, now=now,
                          policy=ctx.deadline_policy)
    except NotPermitted as exc:
        raise forbidden(exc.message) from exc
    submission = accepted.submission
    what = STEP_NAMES.get(submission.trigger, submission.trigger)
    if is_finding_answer(submission):
        flash(request, f"Accepted the supplier's answer: finding #{finding_id_of(submission)} "
                       f"of audit {submission.case_id} is closed.")
        return RedirectResponse(f"/audits/{submission.case_id}#findings", 303)
    flash(request, f"Accepted the supplier's {what}: case {submission.case_id} is now in "
                   f"{accepted.step.case.state.replace('_', ' ')}.")
    return RedirectResponse(f"/cases/{submission.case_id}", 303)


@router.post("/submissions/{submission_id}/reject", dependencies=[CsrfChecked])
def reject_submission(
    submission_id: SubmissionId, request: Request, session: SessionDep, now: NowDep,
    principal: StaffDep, reason: Annotated[str, Form(max_length=_REASON)] = "",
) -> Response:
    require_quality_writer(principal)
    try:
        submission = reject(session, submission_id=submission_id, principal=principal,
                            reason=reason, now=now)
    except NotPermitted as exc:
        raise forbidden(exc.message) from exc
    except BadInput as exc:
        session.rollback()  # nothing was written; make sure of it before the page renders
        return _submission_page(request, session, principal=principal, now=now,
                                submission=_get(session, submission_id), status=422,
                                problem=exc, reason=reason)
    what = STEP_NAMES.get(submission.trigger, submission.trigger)
    flash(request, f"Sent the supplier's {what} back; the reason goes to the supplier.")
    if is_finding_answer(submission):
        return RedirectResponse(f"/audits/{submission.case_id}#findings", 303)
    return RedirectResponse(f"/cases/{submission.case_id}", 303)
