"""/service-requests: take a request in, list, show, step it and record its follow-up,
through servicedesk as `capa service ...`, answering the CLI's documents (documents.service).

A step into a final state (close, cancel) is a signed decision: `password` is the person's
own, re-entered (servicedesk.decisions), as for a case's close.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlmodel import Session

from capaflow.accounts.signatures import SignerRefused
from capaflow.api.schemas import Advance, FollowUpAnswer, OpenRequest
from capaflow.documents.service import (
    RequestDetail,
    RequestPublic,
    request_detail,
    request_documents,
)
from capaflow.errors import BadInput
from capaflow.servicedesk.decisions import advance_request_as
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.policy import DIMENSIONS
from capaflow.servicedesk.requests import get_request, list_requests, open_request
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.desk import require_desk_reader, require_server
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import MAX_ID, Short
from capaflow.statemachines.service import STATES

router = APIRouter(prefix="/service-requests", tags=["service desk"])

RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="Request number.")]


def _detail(session: Session, case_id: int, now: datetime) -> RequestDetail:
    case, request = get_request(session, case_id)
    return request_detail(session, case, request, now)


@router.get("")
def list_route(
    session: SessionDep, now: NowDep, principal: PrincipalDep,
    state: Annotated[Short | None, Query()] = None,
    assignee: Annotated[Short | None, Query()] = None,
    customer: Annotated[Short | None, Query(description="Customer code.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[RequestPublic]:
    """Requests, newest first, filtered by state, assignee or customer."""
    require_desk_reader(principal)
    if state is not None and state not in STATES:
        raise BadInput(f"state: '{state}' is not a state ({', '.join(STATES)})", field="state")
    rows = list_requests(session, state=state, assignee=assignee, customer=customer,
                         limit=limit)
    return request_documents(session, rows, now)


@router.post("", status_code=201)
def open_route(body: OpenRequest, session: SessionDep, now: NowDep, ctx: ContextDep,
               principal: PrincipalDep) -> RequestDetail:
    """Take a request in: its SLA clocks start and it is dispatched (to `assignee` if given,
    else by the rules)."""
    require_server(principal)
    opened = open_request(
        session, desk=ctx.runtime.service_desk, policy=ctx.deadline_policy,
        customer=body.customer.strip(), kind=body.kind.strip().lower(),
        severity=body.severity.strip(), category=body.category.strip().lower(),
        channel=body.channel.strip().lower(), title=body.title, description=body.description,
        assignee=(body.assignee or "").strip() or None, actor=principal.actor, now=now,
    )
    return request_detail(session, opened.case, opened.request, now)


@router.get("/{request_id}")
def show_route(request_id: RequestId, session: SessionDep, now: NowDep,
               principal: PrincipalDep) -> RequestDetail:
    """A request: state, assignee, SLA clocks, follow-ups and its timeline."""
    require_desk_reader(principal)
    return _detail(session, request_id, now)


@router.post("/{request_id}/advance")
def advance_route(request_id: RequestId, body: Advance, session: SessionDep, now: NowDep,
                  ctx: ContextDep, principal: PrincipalDep) -> RequestDetail:
    """One step (dispatch, acknowledge, hold, resume, escalate, resolve, reopen, close,
    cancel) with the fields it needs; `version` refuses the step (409) if the request moved
    since it was read."""
    require_server(principal)
    try:
        step = advance_request_as(
            session, desk=ctx.runtime.service_desk, policy=ctx.deadline_policy,
            principal=principal, case_id=request_id, trigger=body.trigger.strip().lower(),
            fields=body.fields, note=body.note, password=body.password, now=now,
            expected_version=body.version,
        )
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    return _detail(session, step.case.id or request_id, now)


@router.post("/{request_id}/follow-up")
def follow_up_route(request_id: RequestId, body: FollowUpAnswer, session: SessionDep,
                    now: NowDep, ctx: ContextDep, principal: PrincipalDep) -> RequestDetail:
    """The customer's answer taken by a person (a call): solved closes the request, not
    solved reopens it."""
    require_server(principal)
    scores = {name: getattr(body, name) for name in DIMENSIONS}
    answer = Answer(solved=body.solved, overall=body.overall, nps=body.nps,
                    dimensions={k: v for k, v in scores.items() if v is not None},
                    comment=body.comment)
    record_follow_up(session, desk=ctx.runtime.service_desk, policy=ctx.deadline_policy,
                     case_id=request_id, answer=answer, channel="phone", by=principal.actor,
                     actor=principal.actor, now=now)
    return _detail(session, request_id, now)
