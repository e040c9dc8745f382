"""/work-items: work items and their three-level checks, through workchecks as `capa work
...`, answering the CLI's documents (documents.workchecks).

The desk's roles (serving.desk): service agents, service managers and quality managers open
items and record checks; the other staff roles read; a supplier sees none of it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from capaflow.documents.workchecks import WorkItemPublic, work_item_document
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.desk import require_desk_reader, require_server
from capaflow.serving.fields import MAX_ID, Body, Id, Short, Text
from capaflow.workchecks.items import get_item, list_items, open_item, record_check

router = APIRouter(prefix="/work-items", tags=["service quality control"])

ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="Work item number.")]


class NewWorkItem(Body):
    title: Short
    department: Short
    team: Short | None = None
    request: Id | None = None


class NewCheck(Body):
    level: Short  # self, mutual, specialist
    result: Short  # pass, fail
    by: Short
    note: Text | None = None
    failed_items: list[Short] = []


@router.get("")
def list_route(
    session: SessionDep, principal: PrincipalDep,
    state: Annotated[Short | None, Query()] = None,
    department: Annotated[Short | None, Query()] = None,
) -> list[WorkItemPublic]:
    """Work items, newest first, by state or department."""
    require_desk_reader(principal)
    return [work_item_document(v)
            for v in list_items(session, state=state, department=department)]


@router.post("", status_code=201)
def open_route(body: NewWorkItem, session: SessionDep, now: NowDep, ctx: ContextDep,
               principal: PrincipalDep) -> WorkItemPublic:
    """Open a work item: its self check is owed first."""
    require_server(principal)
    return work_item_document(open_item(
        session, policies=ctx.runtime.policies, policy=ctx.deadline_policy, title=body.title,
        department=body.department.strip(), team=(body.team or "").strip() or None,
        request_id=body.request, actor=principal.actor, now=now))


@router.get("/{item_id}")
def show_route(item_id: ItemId, session: SessionDep, principal: PrincipalDep) -> WorkItemPublic:
    """A work item and its checks in order."""
    require_desk_reader(principal)
    return work_item_document(get_item(session, item_id))


@router.post("/{item_id}/check")
def check_route(item_id: ItemId, body: NewCheck, session: SessionDep, now: NowDep,
                ctx: ContextDep, principal: PrincipalDep) -> WorkItemPublic:
    """Record a check: a later level only after the earlier passed (409 naming `level`); a
    failure sends the item to rework."""
    require_server(principal)
    return work_item_document(record_check(
        session, policy=ctx.deadline_policy, case_id=item_id,
        level=body.level.strip().lower(), result=body.result.strip().lower(),
        by=body.by.strip(), note=body.note, failed_items=",".join(body.failed_items) or None,
        actor=principal.actor, now=now))
