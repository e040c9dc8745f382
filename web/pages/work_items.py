"""The work items' pages (docs/architecture.md, "Service quality control"): the list (/work)
and one item (/work/{id}) with its three checks in order and a form for the level owed next,
which records it through workchecks.items.record_check as `capa work check`. A refusal shows
the page again with the field named (422 bad input, 404, 409 out of order)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.documents.workchecks import work_item_document
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.servicedesk.register import list_people
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.desk import require_desk_reader, require_server
from capaflow.serving.fields import MAX_ID
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import flash, page
from capaflow.web.service_forms import Problem
from capaflow.workchecks.items import get_item, list_items, record_check

router = APIRouter(tags=["pages"], include_in_schema=False)

STATUS = {BadInput: 422, NotFound: 404, Conflict: 409}


@router.get("/work")
def work_list_page(request: Request, session: SessionDep, now: NowDep,
                   principal: StaffDep) -> Response:
    require_desk_reader(principal)
    return page(request, "work_items.html", principal=principal, now=now,
                items=[work_item_document(v) for v in list_items(session)])


def _item_page(request: Request, session: Session, item_id: int, *, principal: Principal,
               now: datetime, status: int = 200,
               problem: Problem | None = None) -> HTMLResponse:
    document = work_item_document(get_item(session, item_id))
    return page(request, "work_item.html", principal=principal, now=now, status=status,
                item=document, people=[(p.name, p.team) for p in list_people(session)],
                problem=problem)


@router.get("/work/{item_id}")
def work_item_page(request: Request, session: SessionDep, now: NowDep, principal: StaffDep,
                   item_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    require_desk_reader(principal)
    return _item_page(request, session, item_id, principal=principal, now=now)


@router.post("/work/{item_id}/check", dependencies=[CsrfChecked])
def work_check_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                      principal: StaffDep, form: FormDep,
                      item_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    require_server(principal)
    try:
        view = record_check(
            session, policy=ctx.deadline_policy, case_id=item_id,
            level=form_text(form, "level").strip().lower(),
            result=form_text(form, "result").strip().lower(),
            by=form_text(form, "by").strip(), note=form_text(form, "note") or None,
            failed_items=form_text(form, "failed_items") or None, actor=principal.actor,
            now=now)
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _item_page(request, session, item_id, principal=principal, now=now,
                          status=_status(exc), problem=Problem.of(exc, "check"))
    flash(request, f"Work item #{item_id}: {view.case.state.replace('_', ' ')}")
    return RedirectResponse(f"/work/{item_id}", 303)


def _status(exc: CapaError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 422)
