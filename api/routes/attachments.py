"""Evidence files on cases (docs/architecture.md, "Attachments").

    POST /cases/{id}/attachments   multipart: file, visibility (shared|internal), submission?
                                   the quality lead or manager; a supplier on its own case
                                   (always shared); too large: 413, bad file: 422
    GET  /cases/{id}/attachments   the case's files (a supplier: the shared ones of its own)
    GET  /attachments/{id}         the file itself, as a download (images and PDF inline)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, UploadFile
from fastapi.responses import Response

from capaflow.attachments import (
    INTERNAL,
    SHARED,
    NotPermitted,
    TooLarge,
    Upload,
    attach,
    case_files,
    read_file,
)
from capaflow.documents.attachments import (
    AttachmentListPublic,
    AttachmentPublic,
    attachment_document,
    attachment_list_document,
)
from capaflow.errors import BadInput
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.downloads import download_response
from capaflow.serving.errors import Refused, forbidden
from capaflow.serving.fields import MAX_ID, CaseId

router = APIRouter(tags=["attachments"])

AttachmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="File number.")]
_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"description": "The file is larger than [attachments] max_bytes."}}


@contextmanager
def _as_refusal() -> Iterator[None]:
    # The service says who may not (403) and what is too large (413); the rest is its own.
    try:
        yield
    except NotPermitted as exc:
        raise forbidden(exc.message) from exc
    except TooLarge as exc:
        raise Refused(413, exc.message, field=exc.field) from exc


@router.post("/cases/{case_id}/attachments", status_code=201, responses=_TOO_LARGE)
def attach_route(
    case_id: CaseId,
    file: UploadFile,
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    visibility: Annotated[str, Form(max_length=20)] = SHARED,
    submission: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> AttachmentPublic:
    """Attach an evidence file to a case; recorded in the case's audit trail."""
    limits = ctx.runtime.policies.attachments
    kind = visibility.strip().lower()
    if kind not in (SHARED, INTERNAL):
        raise BadInput(f"visibility: '{visibility}' is not shared or internal",
                       field="visibility")
    # One byte over the limit is enough to refuse it: the rest is never read.
    upload = Upload(file_name=file.filename or "", content=file.file.read(limits.max_bytes + 1))
    with _as_refusal():
        row = attach(session, principal=principal, case_id=case_id, upload=upload,
                     shared=kind == SHARED, now=now, limits=limits,
                     policy=ctx.deadline_policy, submission_id=submission)
    return attachment_document(row)


@router.get("/cases/{case_id}/attachments")
def list_route(case_id: CaseId, session: SessionDep,
               principal: PrincipalDep) -> AttachmentListPublic:
    """The case's files, oldest first, without their bytes."""
    with _as_refusal():
        rows = case_files(session, principal=principal, case_id=case_id)
    return attachment_list_document(case_id, rows)


@router.get("/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download_route(attachment_id: AttachmentId, session: SessionDep,
                   principal: PrincipalDep) -> Response:
    """The file: a download, apart from images and PDF, which may open in the browser."""
    with _as_refusal():
        row = read_file(session, principal=principal, attachment_id=attachment_id)
    return download_response(row)
