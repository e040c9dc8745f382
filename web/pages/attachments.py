"""Evidence files on the pages: the quality team adds a file on the case page (visible to the
supplier or not), a supplier's people add theirs on the portal's case page (always shared),
and anyone who may see a file downloads it from /files/{id} (docs/architecture.md,
"Attachments").

Every rule stays in attachments.service; a refused upload shows the page again with the
message beside the files form (422, or 413 when too large), nothing written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from capaflow.accounts.scope import visible_case
from capaflow.attachments import NotPermitted, TooLarge, Upload, attach, read_file
from capaflow.errors import MAX_ID, BadInput
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.downloads import download_response
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import CaseId
from capaflow.web.auth import StaffDep, SupplierDep, ViewerDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.pages import cases, portal, portal_findings
from capaflow.web.quality_forms import require_quality_writer
from capaflow.web.render import flash

router = APIRouter(tags=["pages"], include_in_schema=False)

FileId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _upload(form: FormData, limit: int) -> Upload:
    given = form.get("file")
    if not isinstance(given, UploadFile):
        raise BadInput("file: choose a file to add", field="file")
    # One byte over the limit is enough to refuse it: the rest is never read.
    return Upload(file_name=given.filename or "", content=given.file.read(limit + 1))


@router.post("/cases/{case_id}/files", dependencies=[CsrfChecked])
def add_file(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
             ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """The quality team's upload on the case page; a viewer is refused (403)."""
    require_quality_writer(principal)
    limits = ctx.runtime.policies.attachments
    try:
        row = attach(session, principal=principal, case_id=case_id,
                     upload=_upload(form, limits.max_bytes),
                     shared=bool(form_text(form, "shared")), now=now, limits=limits,
                     policy=ctx.deadline_policy)
    except NotPermitted as exc:
        raise forbidden(exc.message) from exc
    except BadInput as exc:
        session.rollback()
        return cases._case_page(request, session, principal=principal, now=now,
                                policy=ctx.deadline_policy, case_id=case_id,
                                status=413 if isinstance(exc, TooLarge) else 422,
                                file_problem=exc)
    seen = "the supplier sees it" if row.visibility == "shared" else "the quality team only"
    flash(request, f"File added to case #{case_id}: {row.file_name} ({seen}).")
    return RedirectResponse(f"/cases/{case_id}#files", 303)


@router.post("/portal/cases/{case_id}/files", dependencies=[CsrfChecked])
def add_supplier_file(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                      ctx: ContextDep, principal: SupplierDep, form: FormDep) -> Response:
    """A supplier's upload on its own case (another supplier's: 404); always shared."""
    case = visible_case(session, principal, case_id)
    limits = ctx.runtime.policies.attachments
    try:
        row = attach(session, principal=principal, case_id=case_id,
                     upload=_upload(form, limits.max_bytes), shared=True, now=now,
                     limits=limits, policy=ctx.deadline_policy)
    except BadInput as exc:
        session.rollback()
        if case.lifecycle == "audit":  # an audit's evidence is added on its findings page
            return portal_findings.audit_page(
                request, session, principal=principal, now=now, case_id=case_id,
                status=413 if isinstance(exc, TooLarge) else 422, file_problem=exc)
        return portal._case_page(request, session, principal=principal, now=now, case=case,
                                 status=413 if isinstance(exc, TooLarge) else 422,
                                 file_problem=exc)
    flash(request, f"File sent to the quality team: {row.file_name}.")
    if case.lifecycle == "audit":
        return RedirectResponse(f"/portal/audits/{case_id}#files", 303)
    return RedirectResponse(f"/portal/cases/{case_id}#files", 303)


@router.get("/files/{file_id}")
def download(file_id: FileId, session: SessionDep, principal: ViewerDep) -> Response:
    """One file, for whoever may see it; a supplier's people only the shared files of their
    own cases (anything else is the 404 of a file that does not exist)."""
    try:
        row = read_file(session, principal=principal, attachment_id=file_id)
    except NotPermitted as exc:
        raise forbidden(exc.message) from exc
    return download_response(row)
