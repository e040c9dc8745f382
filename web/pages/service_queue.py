"""The service desk's queue (/service): the open requests, the one whose SLA clock runs out
first on top, with tier, severity, state, assignee, each clock running or on hold, breaches
and dispatch flags; filtered to mine, a team or a state (documents.service_queue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from capaflow.documents.service_queue import desk_queue, next_due
from capaflow.errors import BadInput
from capaflow.servicedesk.register import list_people
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.desk import require_desk_reader
from capaflow.serving.fields import Short
from capaflow.statemachines.service import OPEN_STATES, STATES
from capaflow.web.auth import StaffDep
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/service")
def queue_page(
    request: Request, session: SessionDep, now: NowDep, ctx: ContextDep, principal: StaffDep,
    mine: bool = False,
    team: Annotated[Short | None, Query()] = None,
    state: Annotated[Short | None, Query()] = None,
) -> Response:
    require_desk_reader(principal)
    team = (team or "").strip() or None
    state = (state or "").strip() or None
    if state is not None and state not in STATES:
        raise BadInput(f"state: '{state}' is not a state ({', '.join(STATES)})", field="state")
    requests = desk_queue(session, now=now, state=state, team=team,
                          assignee=principal.name if mine else None)
    desk = ctx.runtime.service_desk
    return page(
        request, "service_queue.html", principal=principal, now=now, requests=requests,
        next_due={r.id: next_due(r) for r in requests},
        severities={code: spec.title for code, spec in desk.section.severities.items()},
        teams=sorted({p.team for p in list_people(session)}), states=OPEN_STATES + (
            "closed", "cancelled"),
        chosen={"mine": mine, "team": team or "", "state": state or ""},
        can_serve=principal.can_serve,
    )
