"""The incident pages (docs/architecture.md, "Service quality control"): /incidents (the
open ones first with their steps' clocks, late steps marked, a form to declare one, the plans
and their drills due) and /incidents/{id} (the steps with due and done times, and a form for
a step done, the close and the review), through incidents as `capa incident ...`. A refusal
shows the page again with the field named (422, or 409 for a step out of turn)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.config.policies import FACTORS
from capaflow.documents.incidents import incident_document, incident_summaries, plan_documents
from capaflow.errors import CapaError, Conflict
from capaflow.incidents import response
from capaflow.incidents.drills import drill_clocks
from capaflow.incidents.plans import Plans, load_plans
from capaflow.serving.context import ApiContext, ContextDep, NowDep, SessionDep
from capaflow.serving.fields import MAX_ID
from capaflow.serving.incidents import (
    COMMANDERS,
    RESPONDERS,
    require_commander,
    require_incident_reader,
    require_responder,
)
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import flash, page
from capaflow.web.service_forms import Problem

router = APIRouter(tags=["pages"], include_in_schema=False)

IncidentId = Annotated[int, Path(ge=1, le=MAX_ID)]
StepNumber = Annotated[int, Path(ge=1, le=1000)]
DECLARE_FIELDS = ("type", "severity", "title", "department", "drill")


def _plans(ctx: ApiContext) -> Plans:
    return load_plans(ctx.runtime.policies)


def _status(exc: CapaError) -> int:
    return 409 if isinstance(exc, Conflict) else 422


def _list_page(request: Request, session: Session, ctx: ApiContext, *, principal: Principal,
               now: datetime, status: int = 200, problem: Problem | None = None,
               kept: dict[str, str] | None = None) -> HTMLResponse:
    plans = _plans(ctx)
    return page(
        request, "incidents.html", principal=principal, now=now, status=status,
        incidents=incident_summaries(session, response.list_incidents(session), now),
        plans=plan_documents(plans, drill_clocks(session, plans=plans, now=now)),
        departments=list(ctx.runtime.policies.departments),
        can_declare=principal.role in COMMANDERS, problem=problem, kept=kept or {},
    )


@router.get("/incidents")
def incidents_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                   principal: StaffDep) -> Response:
    require_incident_reader(principal)
    return _list_page(request, session, ctx, principal=principal, now=now)


@router.post("/incidents", dependencies=[CsrfChecked])
def declare_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                   principal: StaffDep, form: FormDep) -> Response:
    require_commander(principal)
    kept = {name: form_text(form, name) for name in DECLARE_FIELDS}
    try:
        view = response.declare(
            session, plans=_plans(ctx), departments=tuple(ctx.runtime.policies.departments),
            policy=ctx.deadline_policy, type=kept["type"], severity=kept["severity"],
            title=kept["title"] or None, department=kept["department"] or None,
            drill=kept["drill"] == "true", actor=principal.actor, now=now)
    except CapaError as exc:
        session.rollback()
        return _list_page(request, session, ctx, principal=principal, now=now,
                          status=_status(exc), problem=Problem.of(exc, "declare"), kept=kept)
    what = "Drill" if view.incident.drill else "Incident"
    flash(request, f"{what} #{view.incident.case_id} declared: the on-call roles are told.")
    return RedirectResponse(f"/incidents/{view.incident.case_id}", 303)


def _incident_page(request: Request, session: Session, *, incident_id: int,
                   principal: Principal, now: datetime, status: int = 200,
                   problem: Problem | None = None) -> HTMLResponse:
    document = incident_document(session, response.get_incident(session, incident_id), now)
    return page(
        request, "incident.html", principal=principal, now=now, status=status,
        incident=document, factors=FACTORS, problem=problem,
        can_respond=principal.role in RESPONDERS, can_decide=principal.role in COMMANDERS,
    )


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, incident_id: IncidentId, session: SessionDep,
                  now: NowDep, principal: StaffDep) -> Response:
    require_incident_reader(principal)
    return _incident_page(request, session, incident_id=incident_id, principal=principal,
                          now=now)


def _after(request: Request, session: Session, incident_id: int, principal: Principal,
           now: datetime, form: str, exc: CapaError) -> HTMLResponse:
    session.rollback()
    return _incident_page(request, session, incident_id=incident_id, principal=principal,
                          now=now, status=_status(exc), problem=Problem.of(exc, form))


@router.post("/incidents/{incident_id}/steps/{number}", dependencies=[CsrfChecked])
def step_submit(request: Request, incident_id: IncidentId, number: StepNumber,
                session: SessionDep, now: NowDep, ctx: ContextDep, principal: StaffDep,
                form: FormDep) -> Response:
    require_responder(principal)
    response.get_incident(session, incident_id)  # not found: the 404 page
    try:
        response.step_done(session, policy=ctx.deadline_policy, case_id=incident_id,
                           number=number, note=form_text(form, "note") or None,
                           actor=principal.actor, now=now)
    except CapaError as exc:
        return _after(request, session, incident_id, principal, now, "step", exc)
    flash(request, f"Step {number} done.")
    return RedirectResponse(f"/incidents/{incident_id}", 303)


@router.post("/incidents/{incident_id}/close", dependencies=[CsrfChecked])
def close_submit(request: Request, incident_id: IncidentId, session: SessionDep, now: NowDep,
                 ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    require_commander(principal)
    response.get_incident(session, incident_id)
    try:
        response.close(session, plans=_plans(ctx), policy=ctx.deadline_policy,
                       case_id=incident_id, summary=form_text(form, "summary"),
                       actor=principal.actor, now=now)
    except CapaError as exc:
        return _after(request, session, incident_id, principal, now, "close", exc)
    flash(request, f"Incident #{incident_id} closed: the post-incident review is owed.")
    return RedirectResponse(f"/incidents/{incident_id}", 303)


@router.post("/incidents/{incident_id}/review", dependencies=[CsrfChecked])
def review_submit(request: Request, incident_id: IncidentId, session: SessionDep, now: NowDep,
                  ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    require_commander(principal)
    response.get_incident(session, incident_id)
    action = form_text(form, "open").strip() or None
    try:
        response.review(session, policy=ctx.deadline_policy, case_id=incident_id,
                        cause=form_text(form, "cause"), factor=form_text(form, "factor"),
                        open_action=action, actor=principal.actor, now=now)
    except CapaError as exc:
        return _after(request, session, incident_id, principal, now, "review", exc)
    flash(request, f"Incident #{incident_id} reviewed.")
    return RedirectResponse(f"/incidents/{incident_id}", 303)
