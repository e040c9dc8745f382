"""The staff intake form (/service/new): a request taken in at the desk (a call, a mail, a
walk-in), checked and dispatched by servicedesk.requests.open_request as `capa service open`.
A refusal shows the form again with what was typed and the field named (422)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.config.service import KINDS
from capaflow.errors import BadInput, NotFound
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import list_customers
from capaflow.servicedesk.requests import open_request
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.desk import require_server
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import flash, page
from capaflow.web.service_forms import Problem, people_choices, severity_choices

router = APIRouter(tags=["pages"], include_in_schema=False)

FIELDS = ("customer", "kind", "severity", "category", "channel", "title", "description",
          "assignee")


def _intake_page(
    request: Request, session: Session, desk: ServiceDesk, *, principal: Principal,
    now: datetime, status: int = 200, problem: Problem | None = None,
    kept: dict[str, str] | None = None,
) -> HTMLResponse:
    section = desk.section
    return page(
        request, "service_new.html", principal=principal, now=now, status=status,
        customers=list_customers(session),
        tiers={code: spec.title for code, spec in section.tiers.items()},
        kinds=KINDS, severities=severity_choices(desk),
        categories=[(code, spec.title) for code, spec in section.categories.items()],
        channels=section.channels, people=people_choices(session, now), problem=problem,
        kept=kept or {"kind": "request", "channel": "phone"},
    )


@router.get("/service/new")
def intake_form(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                principal: StaffDep) -> Response:
    require_server(principal)
    return _intake_page(request, session, ctx.runtime.service_desk, principal=principal,
                        now=now)


@router.post("/service", dependencies=[CsrfChecked])
def intake_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                  principal: StaffDep, form: FormDep) -> Response:
    require_server(principal)
    desk = ctx.runtime.service_desk
    kept = {name: form_text(form, name) for name in FIELDS}
    try:
        opened = open_request(
            session, desk=desk, policy=ctx.deadline_policy, customer=kept["customer"].strip(),
            kind=kept["kind"].strip().lower(), severity=kept["severity"].strip(),
            category=kept["category"].strip().lower(), channel=kept["channel"].strip().lower(),
            title=kept["title"], description=kept["description"],
            assignee=kept["assignee"].strip() or None, actor=principal.actor, now=now,
        )
    except (BadInput, NotFound) as exc:
        # Customer and assignee come from lists: one that is gone is a bad choice on the
        # form, shown beside it, as any other bad input.
        session.rollback()
        return _intake_page(request, session, desk, principal=principal, now=now, status=422,
                            problem=Problem.of(exc, "open"), kept=kept)
    case = opened.case
    who = f" to {case.owner}" if case.owner else " (not dispatched: nobody available)"
    flash(request, f"Request #{case.id} taken in{who}: {case.title}")
    return RedirectResponse(f"/service/{case.id}", 303)
