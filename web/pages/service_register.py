"""The service desk's registers as simple lists: the customers with their tiers
(/service/customers) and the people requests are dispatched to (/service/people). They are
kept with `capa customer|person` or the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from capaflow.documents.service import customer_document, person_document
from capaflow.servicedesk.dispatch import open_load
from capaflow.servicedesk.register import absences_of, list_customers, list_people
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.desk import require_desk_reader
from capaflow.web.auth import StaffDep
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/service/customers")
def customers_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                   principal: StaffDep) -> Response:
    require_desk_reader(principal)
    tiers = {code: spec.title for code, spec in ctx.runtime.service_desk.section.tiers.items()}
    return page(request, "service_customers.html", principal=principal, now=now,
                customers=[customer_document(c) for c in list_customers(session)], tiers=tiers)


@router.get("/service/people")
def people_page(request: Request, session: SessionDep, now: NowDep,
                principal: StaffDep) -> Response:
    require_desk_reader(principal)
    people = list_people(session)
    documents = [person_document(p, absences_of(session, p.id) if p.id is not None else ())
                 for p in people]
    return page(request, "service_people.html", principal=principal, now=now,
                people=documents, load=open_load(session, [p.name for p in people]))
