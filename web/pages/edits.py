"""Changes after opening, in the web app (docs/architecture.md, "Edits and extensions"):

    GET/POST /cases/{id}/edit                 the lead edits an open case (signed)
    GET/POST /extensions/{id}                 the lead approves or refuses a request (signed)
    GET/POST /portal/cases/{id}/extension     a supplier asks for more time on an obligation

A refused form is shown again with what was typed and the field named (422, 404, 409);
nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.scope import visible_case
from capaflow.accounts.signatures import (
    APPROVE_EXTENSION,
    EDIT_CASE,
    REFUSE_EXTENSION,
    SignerRefused,
)
from capaflow.accounts.users import WRITER_ROLES, list_users
from capaflow.casework.edits import EDITABLE, edit_case
from capaflow.casework.engine import get_case
from capaflow.casework.extensions import (
    MAX_EXTENSION,
    decide_extension,
    get_extension,
    parse_until,
    request_extension,
)
from capaflow.deadlines.policy import COMPLEXITIES, SEVERITIES
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.models import Case, Deadline
from capaflow.models.queries import case_deadlines
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden, http_status
from capaflow.serving.fields import MAX_ID, CaseId
from capaflow.statemachines import LIFECYCLES
from capaflow.web.auth import StaffDep, SupplierDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.quality_forms import require_quality_reader, require_quality_writer
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)
ExtensionId = Annotated[int, Path(ge=1, le=MAX_ID)]
# The edit form's fields, in the quality lead's words.
LABELS = {"owner": "Owner", "severity": "Severity", "part": "Part",
          "complexity": "Cause complexity", "defect_code": "Defect code"}



def _owners(session: Session) -> list[str]:
    return [u.name for u in list_users(session)
            if u.role in WRITER_ROLES and u.disabled_at is None]


def _edit_page(request: Request, session: Session, *, principal: Principal, now: datetime,
               case: Case, values: dict[str, str], problem: CapaError | None = None,
               status: int = 200) -> Response:
    return page(request, "case_edit.html", principal=principal, now=now, status=status,
                case=case, values=values, problem=problem, labels=LABELS,
                owners=_owners(session), severities=SEVERITIES, complexities=COMPLEXITIES,
                meaning=EDIT_CASE,
                closed=case.state in LIFECYCLES[case.lifecycle].final)


@router.get("/cases/{case_id}/edit")
def edit_form(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
              principal: StaffDep) -> Response:
    require_quality_writer(principal)
    case = get_case(session, case_id)
    values = {name: str(getattr(case, name) or "") for name in EDITABLE}
    return _edit_page(request, session, principal=principal, now=now, case=case,
                      values=values)


@router.post("/cases/{case_id}/edit", dependencies=[CsrfChecked])
def edit_submit(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """Only what differs from the case is changed; the edit is one signed audit event."""
    require_quality_writer(principal)
    case = get_case(session, case_id)
    values = {name: form_text(form, name) for name in (*EDITABLE, "reason")}
    try:
        result = edit_case(
            session, principal=principal, case_id=case_id,
            changes={name: values[name] for name in EDITABLE}, reason=values["reason"],
            password=form_text(form, "password"), now=now, policy=ctx.deadline_policy,
        )
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _edit_page(request, session, principal=principal, now=now, case=case,
                          values=values, problem=exc, status=http_status(exc))
    changed = ", ".join(LABELS[n].lower() for n in result.event.fields["changes"])
    flash(request, f"Case #{case_id}: {changed} changed. Signed by "
                   f"{result.event.fields['signature']['signed_by']}.")
    return RedirectResponse(f"/cases/{case_id}", 303)


def _decision_page(request: Request, session: Session, *, principal: Principal,
                   now: datetime, extension_id: int, reason: str = "",
                   problem: CapaError | None = None, status: int = 200) -> Response:
    extension = get_extension(session, extension_id)
    deadline = session.get(Deadline, extension.deadline_id)
    return page(request, "extension.html", principal=principal, now=now, status=status,
                extension=extension, deadline=deadline, case=get_case(session, extension.case_id),
                reason=reason, problem=problem, approve_meaning=APPROVE_EXTENSION,
                refuse_meaning=REFUSE_EXTENSION)


@router.get("/extensions/{extension_id}")
def extension_page(extension_id: ExtensionId, request: Request, session: SessionDep,
                   now: NowDep, principal: StaffDep) -> Response:
    require_quality_reader(principal)
    return _decision_page(request, session, principal=principal, now=now,
                          extension_id=extension_id)


@router.post("/extensions/{extension_id}", dependencies=[CsrfChecked])
def extension_decide(extension_id: ExtensionId, request: Request, session: SessionDep,
                     now: NowDep, ctx: ContextDep, principal: StaffDep,
                     form: FormDep) -> Response:
    """Approve or refuse, signed; the case page shows the decision in its history."""
    require_quality_writer(principal)
    decision = form_text(form, "decision")
    reason = form_text(form, "reason")
    try:
        if decision not in ("approve", "refuse"):
            raise BadInput("decision: approve or refuse", field="decision")
        result = decide_extension(
            session, principal=principal, extension_id=extension_id,
            approve=decision == "approve", reason=reason,
            password=form_text(form, "password"), now=now, policy=ctx.deadline_policy,
        )
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _decision_page(request, session, principal=principal, now=now,
                              extension_id=extension_id, reason=reason, problem=exc,
                              status=http_status(exc))
    verdict = "granted" if decision == "approve" else "refused"
    flash(request, f"More time on {result.deadline.title} {verdict}; the supplier is told.")
    return RedirectResponse(f"/cases/{result.extension.case_id}", 303)


def _ask_page(request: Request, session: Session, *, principal: Principal, now: datetime,
              case: Case, values: dict[str, str], problem: CapaError | None = None,
              status: int = 200) -> Response:
    assert case.id is not None
    owed = [d for d in case_deadlines(session, case.id)
            if d.kind == "obligation" and d.status == "pending"]
    return page(request, "portal_extension.html", principal=principal, now=now,
                status=status, case=case, owed=owed, values=values, problem=problem,
                max_days=MAX_EXTENSION.days)


@router.get("/portal/cases/{case_id}/extension")
def ask_form(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
             principal: SupplierDep,
             step: Annotated[str, Query(max_length=60)] = "") -> Response:
    case = visible_case(session, principal, case_id)
    return _ask_page(request, session, principal=principal, now=now, case=case,
                     values={"step": step, "until": "", "reason": ""})


@router.post("/portal/cases/{case_id}/extension", dependencies=[CsrfChecked])
def ask_submit(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
               ctx: ContextDep, principal: SupplierDep, form: FormDep) -> Response:
    # Another supplier's case is a 404 before anything of the form is looked at.
    case = visible_case(session, principal, case_id)
    values = {name: form_text(form, name) for name in ("step", "until", "reason")}
    policy = ctx.deadline_policy
    try:
        result = request_extension(
            session, principal=principal, case_id=case_id, step=values["step"],
            until=parse_until(values["until"], policy.calendar), reason=values["reason"],
            now=now, policy=policy,
        )
    except (BadInput, Conflict, NotFound) as exc:
        session.rollback()
        return _ask_page(request, session, principal=principal, now=now, case=case,
                         values=values, problem=exc, status=http_status(exc))
    flash(request, f"Your request for more time on {result.deadline.title} was sent to the "
                   "quality team.")
    return RedirectResponse(f"/portal/cases/{case_id}", 303)
