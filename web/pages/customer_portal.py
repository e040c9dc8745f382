"""The customer portal: a customer's own service requests (state, severity, SLA due, the
follow-up) and a form to open a new one, reached through the signed link `capa customer link`
prints, without an account (docs/architecture.md, "Service desk").

A customer sees their own requests only: another customer's request answers exactly as one
that does not exist. Every rule stays in the services: servicedesk.portal (the scope, intake
through servicedesk.requests.open_request) and accounts.customer_links (the link).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from capaflow.accounts.customer_links import customer_from_link
from capaflow.accounts.links import MAX_TOKEN, LinkRefused
from capaflow.config.service import KINDS
from capaflow.documents.service import request_documents
from capaflow.errors import BadInput, CapaError
from capaflow.models import Customer, FollowUp
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.portal import (
    customer_request,
    customer_requests,
    open_customer_request,
)
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.fields import CaseId
from capaflow.web.auth import CustomerDep, session_principal, start_customer_session
from capaflow.web.context import WebDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

# The link's token must not travel on to another site in a Referer header.
_NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
KIND_TITLES = {
    "inquiry": "A question",
    "request": "A request for service",
    "complaint": "A complaint",
    "claim": "A claim for compensation",
}
_FORM_FIELDS = ("kind", "severity", "category", "title", "description")


@router.get("/customer/enter")
def enter(request: Request, session: SessionDep, now: NowDep, web: WebDep,
          t: Annotated[str, Query(max_length=MAX_TOKEN)] = "") -> Response:
    """The customer's link: a session for that customer, then their portal."""
    try:
        customer = customer_from_link(session, web.secret, t, now=now)
    except LinkRefused:
        # One answer for tampered, expired and unknown: which it was would help a forger.
        response: Response = page(request, "customer_refused.html", principal=None, now=now,
                                  status=403)
        response.headers.update(_NO_REFERRER)
        return response
    assert customer.id is not None
    signed_in = session_principal(request, session, now=now, valid_for=web.session_valid)
    if signed_in is not None:
        # Someone signed in keeps their session: a link forwarded to them must not swap it for
        # a customer's (and what they then type into its form).
        flash(request, f"You are signed in as {signed_in.name}; sign out first to open a "
                       "customer's link.")
        return RedirectResponse("/", 303, headers=_NO_REFERRER)
    start_customer_session(request, now=now, customer_id=customer.id)
    return RedirectResponse("/customer", 303, headers=_NO_REFERRER)


def _follow_ups(session: Session, case_ids: list[int]) -> dict[int, FollowUp]:
    """The latest follow-up of each request."""
    if not case_ids:
        return {}
    rows = session.exec(select(FollowUp).where(col(FollowUp.case_id).in_(case_ids))
                        .order_by(col(FollowUp.id)))
    return {f.case_id: f for f in rows}


def _choices(desk: ServiceDesk) -> dict[str, list[tuple[str, str]]]:
    section = desk.section
    severities = sorted(section.severities.items(), key=lambda item: item[1].rank)
    return {
        "kind": [(k, KIND_TITLES.get(k, k)) for k in KINDS],
        "severity": [(code, f"{code}: {s.title}") for code, s in severities],
        "category": [(code, c.title) for code, c in section.categories.items()],
    }


def _portal(request: Request, session: Session, *, customer: Customer, now: datetime,
            desk: ServiceDesk, status: int = 200, problem: CapaError | None = None,
            kept: dict[str, str] | None = None) -> Response:
    rows = customer_requests(session, customer)
    documents = request_documents(session, rows, now)
    response = page(
        request, "customer_portal.html", principal=None, now=now, status=status,
        customer=customer, requests=documents,
        follow_ups=_follow_ups(session, [d.id for d in documents]),
        severity_titles={code: s.title for code, s in desk.section.severities.items()},
        choices=_choices(desk), problem=problem, kept=kept or {},
    )
    response.headers.update(_NO_REFERRER)
    return response


@router.get("/customer")
def portal(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
           customer: CustomerDep) -> Response:
    return _portal(request, session, customer=customer, now=now,
                   desk=ctx.runtime.service_desk)


@router.get("/customer/requests/{case_id}")
def one_request(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                ctx: ContextDep, customer: CustomerDep) -> Response:
    rows = [customer_request(session, customer, case_id)]
    [document] = request_documents(session, rows, now)
    desk = ctx.runtime.service_desk
    response = page(
        request, "customer_request.html", principal=None, now=now, customer=customer,
        item=document, follow_up=_follow_ups(session, [case_id]).get(case_id),
        severity_titles={code: s.title for code, s in desk.section.severities.items()},
        kind_titles=KIND_TITLES,
    )
    response.headers.update(_NO_REFERRER)
    return response


def _kept(form: FormData) -> dict[str, str]:
    return {name: form_text(form, name) for name in _FORM_FIELDS}


@router.post("/customer/requests", dependencies=[CsrfChecked])
def open_from_portal(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                     customer: CustomerDep, form: FormDep) -> Response:
    kept = _kept(form)
    desk = ctx.runtime.service_desk
    try:
        opened = open_customer_request(
            session, desk=desk, policy=ctx.deadline_policy, customer=customer,
            kind=kept["kind"], severity=kept["severity"], category=kept["category"],
            title=kept["title"], description=kept["description"] or None, now=now,
        )
    except BadInput as exc:
        session.rollback()  # nothing was written; make sure of it before the page renders
        return _portal(request, session, customer=customer, now=now, desk=desk, status=422,
                       problem=exc, kept=kept)
    case_id = opened.case.id
    flash(request, f"Your request #{case_id} was received; the service desk has it now.")
    return RedirectResponse(f"/customer/requests/{case_id}", 303, headers=_NO_REFERRER)
