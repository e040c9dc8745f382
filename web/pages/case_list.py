"""The case list (/cases): every case the quality team works, filtered, searched, sorted and
paged by query parameters (a list is a bookmark), its CSV export (/cases.csv), and the views a
person saves. The query and its rules live in caselists; this page only reads the request
and renders.

Everyone of the quality team reads the list and exports it; saving and deleting a view is a
form, so a viewer gets none (docs/architecture.md, "The case list"). Suppliers use their
portal (StaffDep sends them there).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.caselists.csvexport import cases_csv
from capaflow.caselists.filters import (
    SORTS,
    STATUSES,
    CaseFilter,
    parse_filter,
    state_choices,
    state_words,
)
from capaflow.caselists.search import CasePage, find_cases
from capaflow.caselists.views import MAX_NAME, delete_view, list_views, save_view
from capaflow.deadlines.policy import SEVERITIES
from capaflow.errors import CapaError
from capaflow.serving.context import NowDep, SessionDep
from capaflow.serving.errors import http_status
from capaflow.serving.fields import MAX_ID
from capaflow.statemachines import LIFECYCLES
from capaflow.suppliers.registry import list_suppliers
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.quality_forms import require_quality_writer
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

# A CSV holds the whole list, not a page of it, up to this many cases.
CSV_LIMIT = 10_000
SORT_WORDS = {"opened": "Opened", "due": "Due", "state": "State", "supplier": "Supplier",
              "severity": "Severity", "number": "Case number"}
STATUS_WORDS = {"open": "Open", "closed": "Closed or cancelled", "all": "All"}


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def _render(
    request: Request, session: Session, *, principal: Principal, now: datetime,
    params: dict[str, str], found: CaseFilter | None, listed: CasePage | None,
    problem: CapaError | None = None, status: int = 200, view_name: str = "",
) -> Response:
    return page(
        request, "case_list.html", principal=principal, now=now, status=status,
        params=params, found=found or CaseFilter(), listed=listed, problem=problem,
        views=list_views(session, user=principal.name), can_write=principal.can_write,
        lifecycles=[(name, lc.title) for name, lc in LIFECYCLES.items()],
        states=state_choices(), statuses=[(s, STATUS_WORDS[s]) for s in STATUSES],
        severities=SEVERITIES, suppliers=list_suppliers(session),
        sorts=[(s, SORT_WORDS[s]) for s in SORTS], state_words=state_words,
        view_name=view_name, max_name=MAX_NAME,
    )


@router.get("/cases")
def case_list(request: Request, session: SessionDep, now: NowDep,
              principal: StaffDep) -> Response:
    params = _params(request)
    try:
        found = parse_filter(params)
        listed = find_cases(session, filter=found, now=now, user=principal.name)
    except CapaError as exc:
        return _render(request, session, principal=principal, now=now, params=params,
                       found=None, listed=None, problem=exc, status=http_status(exc))
    return _render(request, session, principal=principal, now=now, params=params,
                   found=found, listed=listed)


@router.get("/cases.csv")
def case_list_csv(request: Request, session: SessionDep, now: NowDep,
                  principal: StaffDep) -> Response:
    params = _params(request)
    try:
        found = parse_filter(params).with_(page=1)
        listed = find_cases(session, filter=found, now=now, user=principal.name,
                            page_size=CSV_LIMIT)
    except CapaError as exc:
        return _render(request, session, principal=principal, now=now, params=params,
                       found=None, listed=None, problem=exc, status=http_status(exc))
    return Response(
        cases_csv(listed.rows), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cases-{now:%Y-%m-%d}.csv"'},
    )



@router.post("/cases/views", dependencies=[CsrfChecked])
def save_case_view(
    request: Request, session: SessionDep, now: NowDep, principal: StaffDep,
    name: Annotated[str, Form(max_length=1000)] = "",
    query: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    require_quality_writer(principal)
    params = dict(parse_qsl(query, keep_blank_values=True))
    try:
        view = save_view(session, user=principal.name, name=name, params=params, now=now)
    except CapaError as exc:
        session.rollback()  # nothing was written; make sure of it before the page renders
        try:
            found: CaseFilter | None = parse_filter(params)
            listed = find_cases(session, filter=found or CaseFilter(), now=now,
                                user=principal.name)
        except CapaError:
            found, listed = None, None
        return _render(request, session, principal=principal, now=now, params=params,
                       found=found, listed=listed, problem=exc, status=http_status(exc),
                       view_name=name[:MAX_NAME + 20])
    flash(request, f"Saved the view '{view.name}'.")
    return RedirectResponse(f"/cases?{view.query}" if view.query else "/cases", 303)


@router.post("/cases/views/{view_id}/delete", dependencies=[CsrfChecked])
def delete_case_view(view_id: int, request: Request, session: SessionDep, now: NowDep,
                     principal: StaffDep) -> Response:
    require_quality_writer(principal)
    if not 0 < view_id <= MAX_ID:
        view_id = 0
    try:
        view = delete_view(session, user=principal.name, view_id=view_id)
    except CapaError as exc:
        return _render(request, session, principal=principal, now=now, params={},
                       found=None, listed=None, problem=exc, status=http_status(exc))
    flash(request, f"Deleted the view '{view.name}'.")
    return RedirectResponse("/cases", 303)
