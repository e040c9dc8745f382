"""/incidents and /incident-plans: declare, list, show, record a step done, close and review
an incident, through incidents as `capa incident ...`, answering the CLI's documents
(documents.incidents). Who may do what: serving.incidents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from capaflow.documents.incidents import (
    IncidentPlanPublic,
    IncidentPublic,
    IncidentSummary,
    incident_document,
    incident_summaries,
    plan_documents,
)
from capaflow.incidents import response
from capaflow.incidents.drills import drill_clocks
from capaflow.incidents.plans import Plans, load_plans
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.fields import MAX_ID, Body, Short, Text
from capaflow.serving.incidents import (
    require_commander,
    require_incident_reader,
    require_responder,
)

router = APIRouter(tags=["incidents"])

IncidentId = Annotated[int, Path(ge=1, le=MAX_ID, description="Incident number.")]
StepNumber = Annotated[int, Path(ge=1, le=1000, description="Step number of the plan.")]


class Declare(Body):
    type: Short
    severity: Short
    title: Short | None = None
    department: Short | None = None
    drill: bool = False


class StepDone(Body):
    note: Text | None = None


class Close(Body):
    summary: Text


class Review(Body):
    cause: Text
    factor: Short
    # "8d" or "pdca": open a case for the cause.
    open: Short | None = Field(default=None)


def _plans(ctx: ContextDep) -> Plans:
    return load_plans(ctx.runtime.policies)


@router.get("/incidents")
def list_route(
    session: SessionDep, now: NowDep, principal: PrincipalDep,
    open: Annotated[bool, Query(description="Only those not yet reviewed.")] = False,
    drills: Annotated[bool, Query(description="Drills instead of incidents.")] = False,
) -> list[IncidentSummary]:
    """Incidents (or drills), open ones first, each with its steps' clocks."""
    require_incident_reader(principal)
    return incident_summaries(
        session, response.list_incidents(session, open_only=open, drills=drills), now)


@router.post("/incidents", status_code=201)
def declare_route(body: Declare, session: SessionDep, now: NowDep, ctx: ContextDep,
                  principal: PrincipalDep) -> IncidentPublic:
    """Declare an incident (or record a drill): the on-call roles are told at once and each
    step of the plan is owed within its target."""
    require_commander(principal)
    view = response.declare(
        session, plans=_plans(ctx), departments=tuple(ctx.runtime.policies.departments),
        policy=ctx.deadline_policy, type=body.type, severity=body.severity, title=body.title,
        department=body.department, drill=body.drill, actor=principal.actor, now=now)
    return incident_document(session, view, now)


@router.get("/incidents/{incident_id}")
def show_route(incident_id: IncidentId, session: SessionDep, now: NowDep,
               principal: PrincipalDep) -> IncidentPublic:
    """An incident: its steps' clocks, its review and its trail."""
    require_incident_reader(principal)
    return incident_document(session, response.get_incident(session, incident_id), now)


@router.post("/incidents/{incident_id}/steps/{number}")
def step_route(incident_id: IncidentId, number: StepNumber, body: StepDone,
               session: SessionDep, now: NowDep, ctx: ContextDep,
               principal: PrincipalDep) -> IncidentPublic:
    """A step of the plan done (in any order; done twice is 409)."""
    require_responder(principal)
    view = response.step_done(session, policy=ctx.deadline_policy, case_id=incident_id,
                              number=number, note=body.note, actor=principal.actor, now=now)
    return incident_document(session, view, now)


@router.post("/incidents/{incident_id}/close")
def close_route(incident_id: IncidentId, body: Close, session: SessionDep, now: NowDep,
                ctx: ContextDep, principal: PrincipalDep) -> IncidentPublic:
    """End the response; the post-incident review is owed."""
    require_commander(principal)
    view = response.close(session, plans=_plans(ctx), policy=ctx.deadline_policy,
                          case_id=incident_id, summary=body.summary, actor=principal.actor,
                          now=now)
    return incident_document(session, view, now)


@router.post("/incidents/{incident_id}/review")
def review_route(incident_id: IncidentId, body: Review, session: SessionDep, now: NowDep,
                 ctx: ContextDep, principal: PrincipalDep) -> IncidentPublic:
    """The post-incident review: cause and factor; may open an 8D case or a PDCA cycle."""
    require_commander(principal)
    view = response.review(session, policy=ctx.deadline_policy, case_id=incident_id,
                           cause=body.cause, factor=body.factor.strip(),
                           open_action=body.open.strip() if body.open else None,
                           actor=principal.actor, now=now)
    return incident_document(session, view, now)


@router.get("/incident-plans")
def plans_route(session: SessionDep, now: NowDep, ctx: ContextDep,
                principal: PrincipalDep) -> list[IncidentPlanPublic]:
    """The contingency plans: steps, last drill and when the next is due."""
    require_incident_reader(principal)
    plans = _plans(ctx)
    return plan_documents(plans, drill_clocks(session, plans=plans, now=now))
