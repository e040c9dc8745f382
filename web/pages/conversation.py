"""The quality team's side of the conversation on a case (docs/architecture.md, "The supplier
conversation"): a message to the supplier or an internal note, written from the case page.
The thread itself is shown by the case page (case_thread.html); the supplier's side is its
portal (web/pages/portal.py). Viewers see the thread and get no form (403 if they post).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from capaflow.conversation import NotPermitted, post_comment
from capaflow.errors import BadInput
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import CaseId
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, Kept, form_text
from capaflow.web.pages.cases import Problem, _case_page
from capaflow.web.render import flash

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.post("/cases/{case_id}/comments", dependencies=[CsrfChecked])
def post_on_case(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                 ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    body = form_text(form, "body")
    internal = form_text(form, "internal") != ""
    try:
        posted = post_comment(session, principal=principal, case_id=case_id, body=body,
                              internal=internal, now=now, policy=ctx.deadline_policy)
    except NotPermitted as exc:
        raise forbidden(exc.message) from exc
    except BadInput as exc:
        session.rollback()  # nothing was written; make sure of it before the page renders
        return _case_page(
            request, session, principal=principal, now=now, policy=ctx.deadline_policy,
            case_id=case_id, status=422, problem=Problem.of(exc, "comment"),
            kept=Kept(form="comment", values={"body": body, "internal": "yes" if internal
                                              else ""}),
        )
    what = "Internal note added" if posted.comment.internal else "Message sent to the supplier"
    flash(request, f"Case #{case_id}: {what}.")
    return RedirectResponse(f"/cases/{case_id}#conversation", 303)
