"""What the files panel (templates/case_attachments.html) shows on the case page and on the
supplier's portal page: the case's files the person may see and, for those who may add one,
where the form posts (docs/architecture.md, "Attachments")."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.attachments import NotPermitted, case_files
from capaflow.errors import CapaError
from capaflow.serving.context import ApiContext


def files_context(
    request: Request, session: Session, principal: Principal, case_id: int,
    problem: CapaError | None = None,
) -> dict[str, Any]:
    """The panel's context; `problem`: a refused upload, shown beside its form."""
    ctx: ApiContext = request.app.state.capa
    try:
        files = case_files(session, principal=principal, case_id=case_id)
    except NotPermitted:  # the service desk's roles see no evidence: no panel at all
        return {"files": None}
    if principal.is_supplier:
        action: str | None = f"/portal/cases/{case_id}/files"
    else:
        action = f"/cases/{case_id}/files" if principal.can_write else None
    return {
        "files": files,
        "files_action": action,
        "files_choose_visibility": not principal.is_supplier,
        "files_for_supplier": principal.is_supplier,
        "files_max_bytes": ctx.runtime.policies.attachments.max_bytes,
        "file_problem": problem,
    }
