"""The week's spot-checks page (/spotchecks?week=YYYY-Www, default the week before now's):
the sample drawn, where each stands, and a review form per owed spot-check with the items of
the standard it is reviewed against, recorded through spotchecks.review as `capa spotcheck
review`. A refusal shows the page again with the field named."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.documents.spotchecks import draw_document
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.servicedesk.register import list_people
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.desk import require_desk_reader, require_server
from capaflow.serving.fields import MAX_ID
from capaflow.spotchecks.draw import drawn_week, week_sample
from capaflow.spotchecks.review import get_spot_check, review_spot_check
from capaflow.spotchecks.weeks import parse_week, previous_week, week_name
from capaflow.standards.catalogue import StandardVersion, current_standard
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import flash, page
from capaflow.web.service_forms import Problem

router = APIRouter(tags=["pages"], include_in_schema=False)

STATUS = {BadInput: 422, NotFound: 404, Conflict: 409}


def _standards(session: Session, pairs: set[tuple[str, str]]) -> dict[str, StandardVersion]:
    found: dict[str, StandardVersion] = {}
    for department, position in pairs:
        try:
            found[f"{department}/{position}"] = current_standard(session, department, position)
        except NotFound:
            continue
    return found


def _week_page(request: Request, session: Session, week: str, *, principal: Principal,
               now: datetime, status: int = 200,
               problem: Problem | None = None) -> HTMLResponse:
    year, number = parse_week(week)
    name = week_name(year, number)
    document = None
    if drawn_week(session, name) is not None:
        draw, rows = week_sample(session, name)
        document = draw_document(draw, rows, True)
    pairs = {(s.department, s.position) for s in (document.spotchecks if document else [])
             if s.department and s.position and s.state == "owed"}
    return page(request, "spotchecks.html", principal=principal, now=now, status=status,
                week=name, sample=document, standards=_standards(session, pairs),
                people=[p.name for p in list_people(session)], problem=problem)


@router.get("/spotchecks")
def spotchecks_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                    principal: StaffDep, week: str | None = Query(None, max_length=10)
                    ) -> Response:
    require_desk_reader(principal)
    wanted = week or previous_week(now, ctx.deadline_policy.calendar.zone)
    try:
        return _week_page(request, session, wanted, principal=principal, now=now)
    except BadInput as exc:
        return _week_page(request, session, previous_week(now, ctx.deadline_policy.calendar.zone),
                          principal=principal, now=now, status=422,
                          problem=Problem.of(exc, "week"))


@router.post("/spotchecks/{spotcheck_id}/review", dependencies=[CsrfChecked])
def review_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                  principal: StaffDep, form: FormDep,
                  spotcheck_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    require_server(principal)
    week = get_spot_check(session, spotcheck_id).spot_check.week
    results = {key.removeprefix("item:"): str(value) for key, value in form.items()
               if key.startswith("item:")}
    try:
        view = review_spot_check(
            session, policies=ctx.runtime.policies, policy=ctx.deadline_policy,
            case_id=spotcheck_id, results=results, by=form_text(form, "by").strip(),
            note=form_text(form, "note") or None, now=now)
    except (BadInput, NotFound, Conflict) as exc:
        session.rollback()
        return _week_page(request, session, week, principal=principal, now=now,
                          status=_status(exc), problem=Problem.of(exc, f"review-{spotcheck_id}"))
    flash(request, f"Spot-check #{spotcheck_id} of {view.spot_check.person}: score "
                   f"{view.spot_check.score:g}")
    return RedirectResponse(f"/spotchecks?week={week}", 303)


def _status(exc: CapaError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 422)
