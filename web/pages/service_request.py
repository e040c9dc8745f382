"""A service request's page (/service/{id}): its header, SLA clocks with their due times and
time held, follow-ups, the timeline of its events, a form for each step it may take now
(close and cancel signed with the re-entered password), and the follow-up taken by phone.

Every rule stays in servicedesk (requests, decisions, followup); a refusal shows the page
again with the person's input and the field named (422 bad input, 409 not allowed now or
moved meanwhile). Readers see everything and get no forms."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.signatures import SignerRefused
from capaflow.documents.service import request_detail
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.servicedesk.decisions import advance_request_as
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.policy import DIMENSIONS, ServiceDesk
from capaflow.servicedesk.requests import get_request
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.desk import require_desk_reader, require_server
from capaflow.serving.errors import forbidden, http_status
from capaflow.serving.fields import MAX_ID
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FIELD_PREFIX, FormDep, Kept, form_text
from capaflow.web.render import flash, page
from capaflow.web.service_forms import NPS_SCALE, SCALE, Problem, request_steps

router = APIRouter(tags=["pages"], include_in_schema=False)

RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="Request number.")]
FOLLOW_UP_FIELDS = ("solved", "overall", "nps", *DIMENSIONS, "comment")


def _request_page(
    request: Request, session: Session, desk: ServiceDesk, *, principal: Principal,
    now: datetime, request_id: int, status: int = 200, problem: Problem | None = None,
    kept: Kept | None = None,
) -> HTMLResponse:
    case, row = get_request(session, request_id)
    detail = request_detail(session, case, row, now)
    steps = request_steps(session, desk, detail, now) if principal.can_serve else []
    follow_up = principal.can_serve and detail.state in ("resolved", "follow_up")
    shown = {("step", s.trigger) for s in steps} | ({("follow_up", "")} if follow_up else set())
    loose = problem is not None and (problem.form, problem.trigger) not in shown
    severity = desk.section.severities.get(detail.severity)
    return page(
        request, "service_request.html", principal=principal, now=now, status=status,
        r=detail, steps=steps, follow_up=follow_up, problem=problem,
        loose_problem=problem if loose else None, kept=kept or Kept(),
        field_prefix=FIELD_PREFIX, scale=SCALE, nps_scale=NPS_SCALE, dimensions=DIMENSIONS,
        severity_title=severity.title if severity else "",
        tier_title=desk.tier(detail.tier).title if detail.tier in desk.section.tiers else "",
        timeline=list(reversed(detail.events)),
    )


@router.get("/service/{request_id}")
def request_page(request_id: RequestId, request: Request, session: SessionDep, now: NowDep,
                 ctx: ContextDep, principal: StaffDep) -> Response:
    require_desk_reader(principal)
    return _request_page(request, session, ctx.runtime.service_desk, principal=principal,
                         now=now, request_id=request_id)


def _version(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text.strip()) <= MAX_ID:
        raise BadInput("version: the form lost the request's version; reload the page",
                       field="version")
    return int(text.strip())


@router.post("/service/{request_id}/steps", dependencies=[CsrfChecked])
def take_step(request_id: RequestId, request: Request, session: SessionDep, now: NowDep,
              ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    require_server(principal)
    desk = ctx.runtime.service_desk
    trigger = form_text(form, "trigger").strip().lower()
    typed = {name[len(FIELD_PREFIX):]: value for name, value in form.multi_items()
             if name.startswith(FIELD_PREFIX) and isinstance(value, str)}
    # An optional field left empty is not recorded as an empty answer.
    given = {name: value for name, value in typed.items() if value.strip()}
    note = form_text(form, "note")
    kept = Kept(form="step", trigger=trigger, fields=typed, values={"note": note})
    try:
        step = advance_request_as(
            session, desk=desk, policy=ctx.deadline_policy, principal=principal,
            case_id=request_id, trigger=trigger, fields=given, note=note or None,
            password=form_text(form, "password"), now=now,
            expected_version=_version(form_text(form, "version")),
        )
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    except (BadInput, Conflict, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.field != "assignee":
            raise
        session.rollback()
        status = 422 if isinstance(exc, NotFound) else http_status(exc)
        return _request_page(request, session, desk, principal=principal, now=now,
                             request_id=request_id, status=status,
                             problem=Problem.of(exc, "step", trigger), kept=kept)
    message = (f"Request #{request_id}: {trigger.replace('_', ' ')} recorded; now "
               f"{step.case.state.replace('_', ' ')}.")
    signature = step.steps[0].event.fields.get("signature")
    if isinstance(signature, dict):
        message += f" Signed by {signature['signed_by']}."
    flash(request, message)
    return RedirectResponse(f"/service/{request_id}", 303)


def _score(text: str, field: str, *, required: bool) -> int | None:
    text = text.strip()
    if not text:
        if required:
            raise BadInput(f"{field}: choose a score", field=field)
        return None
    if not text.lstrip("-").isdigit() or len(text) > 4:
        raise BadInput(f"{field}: '{text}' is not a whole number", field=field)
    return int(text)


@router.post("/service/{request_id}/follow-up", dependencies=[CsrfChecked])
def take_follow_up(request_id: RequestId, request: Request, session: SessionDep, now: NowDep,
                   ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """The customer's answer taken by phone: solved closes the request, not solved reopens."""
    require_server(principal)
    desk = ctx.runtime.service_desk
    values = {name: form_text(form, name) for name in FOLLOW_UP_FIELDS}
    try:
        solved = values["solved"].strip()
        if solved not in ("yes", "no"):
            raise BadInput("solved: answer yes or no", field="solved")
        dimensions = {}
        for name in DIMENSIONS:
            score = _score(values[name], name, required=False)
            if score is not None:
                dimensions[name] = score
        answer = Answer(solved=solved == "yes",
                        overall=_score(values["overall"], "overall", required=True) or 0,
                        nps=_score(values["nps"], "nps", required=False),
                        dimensions=dimensions, comment=values["comment"] or None)
        result = record_follow_up(session, desk=desk, policy=ctx.deadline_policy,
                                  case_id=request_id, answer=answer, channel="phone",
                                  by=principal.actor, actor=principal.actor, now=now)
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _request_page(request, session, desk, principal=principal, now=now,
                             request_id=request_id, status=http_status(exc),
                             problem=Problem.of(exc, "follow_up"),
                             kept=Kept(form="follow_up", values=values))
    flash(request, f"Request #{request_id}: follow-up recorded; now "
                   f"{result.step.case.state.replace('_', ' ')}.")
    return RedirectResponse(f"/service/{request_id}", 303)
