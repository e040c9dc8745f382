"""The service quality pages (docs/architecture.md, "Service quality control"): the standards
(/standards, one standard with its items), the quality inspection rounds (/rounds: owed and
recent with their score, and a form to open one; /rounds/{id}: pass or fail and a note per
item, the score once recorded) and the findings (/findings, each open one with its close form).

Every rule stays in `standards`; a refusal shows the page again with the field named (422 bad
input, 409 not allowed now). Readers see everything and get no forms; suppliers nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.calendars import parse_instant
from capaflow.config.policies import Policies
from capaflow.documents.standards import (
    finding_documents,
    round_document,
    round_list_document,
    standard_document,
    standard_list_document,
)
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import http_status
from capaflow.serving.fields import MAX_ID
from capaflow.serving.inspections import (
    FINDING_CLOSER_ROLES,
    INSPECTOR_ROLES,
    require_finding_closer,
    require_inspection_reader,
    require_inspector,
)
from capaflow.standards.catalogue import catalogue, check_position, current_standard
from capaflow.standards.findings import close_finding, list_findings
from capaflow.standards.rounds import Result, get_round, list_rounds, open_round, record_round
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import flash, page
from capaflow.web.service_forms import Problem

router = APIRouter(tags=["pages"], include_in_schema=False)

RoundId = Annotated[int, Path(ge=1, le=MAX_ID, description="Round number.")]
FindingId = Annotated[int, Path(ge=1, le=MAX_ID, description="Finding number.")]
Code = Annotated[str, Path(max_length=60)]


@router.get("/standards")
def standards_page(request: Request, session: SessionDep, now: NowDep,
                   principal: StaffDep) -> Response:
    require_inspection_reader(principal)
    return page(request, "standards.html", principal=principal, now=now,
                standards=standard_list_document(catalogue(session)).standards)


@router.get("/standards/{department}/{position}")
def standard_page(department: Code, position: Code, request: Request, session: SessionDep,
                  now: NowDep, ctx: ContextDep, principal: StaffDep) -> Response:
    require_inspection_reader(principal)
    check_position(ctx.runtime.policies, department, position)
    document = standard_document(current_standard(session, department, position))
    return page(request, "standard.html", principal=principal, now=now, s=document)


def _rounds_page(request: Request, session: Session, policies: Policies, *,
                 principal: Principal, now: datetime, status: int = 200,
                 problem: Problem | None = None, kept: dict[str, str] | None = None,
                 ) -> HTMLResponse:
    rows = list_rounds(session)
    rounds = round_list_document(session, rows, now).rounds
    positions = [(d, p) for d, spec in policies.departments.items() for p in spec.positions]
    return page(request, "rounds.html", principal=principal, now=now, status=status,
                owed=[r for r in rounds if r.state == "owed"],
                recent=[r for r in rounds if r.state != "owed"][:50],
                positions=positions, may_open=principal.role in INSPECTOR_ROLES,
                problem=problem, kept=kept or {})


@router.get("/rounds")
def rounds_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                principal: StaffDep) -> Response:
    require_inspection_reader(principal)
    return _rounds_page(request, session, ctx.runtime.policies, principal=principal, now=now)


@router.post("/rounds", dependencies=[CsrfChecked])
def open_round_form(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                    principal: StaffDep, form: FormDep) -> Response:
    require_inspector(principal)
    kept = {name: form_text(form, name) for name in ("position", "inspector", "due")}
    try:
        department, _, position = kept["position"].partition("/")
        due_text = kept["due"].strip()
        try:
            due = parse_instant(due_text, field="due") if due_text else None
        except ValueError as exc:
            raise BadInput(str(exc), field="due") from None
        case, _ = open_round(session, policies=ctx.runtime.policies, policy=ctx.deadline_policy,
                             department=department, position=position,
                             inspector=kept["inspector"], due_at=due, actor=principal.actor,
                             now=now)
    except (BadInput, NotFound) as exc:
        session.rollback()
        return _rounds_page(request, session, ctx.runtime.policies, principal=principal,
                            now=now, status=422, problem=Problem.of(exc, "open"), kept=kept)
    flash(request, f"Round #{case.id} opened, owed by {case.owner}.")
    return RedirectResponse(f"/rounds/{case.id}", 303)


def _round_page(request: Request, session: Session, *, principal: Principal, now: datetime,
                round_id: int, status: int = 200, problem: Problem | None = None,
                kept: dict[str, str] | None = None) -> HTMLResponse:
    case, row = get_round(session, round_id)
    document = round_document(session, case, row, now)
    return page(request, "round.html", principal=principal, now=now, status=status,
                r=document, may_record=principal.role in INSPECTOR_ROLES and
                document.state == "owed",
                may_close=principal.role in FINDING_CLOSER_ROLES, problem=problem,
                kept=kept or {})


@router.get("/rounds/{round_id}")
def round_page(round_id: RoundId, request: Request, session: SessionDep, now: NowDep,
               principal: StaffDep) -> Response:
    require_inspection_reader(principal)
    return _round_page(request, session, principal=principal, now=now, round_id=round_id)


@router.post("/rounds/{round_id}/record", dependencies=[CsrfChecked])
def record_round_form(round_id: RoundId, request: Request, session: SessionDep, now: NowDep,
                      ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    require_inspector(principal)
    kept = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    try:
        results: dict[str, Result] = {}
        owners: dict[str, str] = {}
        for name, value in kept.items():
            if name.startswith("result."):
                code = name.removeprefix("result.")
                if value not in ("pass", "fail"):
                    raise BadInput(f"item: choose pass or fail for {code}", field="item")
                results[code] = Result(passed=value == "pass",
                                       note=kept.get(f"note.{code}", "").strip() or None)
            elif name.startswith("owner.") and value.strip():
                owners[name.removeprefix("owner.")] = value.strip()
        # An owner typed beside an item that passed is no finding's: only failed items keep it.
        owners = {c: n for c, n in owners.items() if c in results and not results[c].passed}
        recorded = record_round(session, policies=ctx.runtime.policies,
                                policy=ctx.deadline_policy, round_id=round_id,
                                results=results, owners=owners, actor=principal.actor, now=now)
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _round_page(request, session, principal=principal, now=now, round_id=round_id,
                           status=http_status(exc), problem=Problem.of(exc, "record"),
                           kept=kept)
    flash(request, f"Round #{round_id} recorded: score {recorded.score.value:g}, "
                   f"{len(recorded.findings)} finding(s).")
    return RedirectResponse(f"/rounds/{round_id}", 303)


def _findings_page(request: Request, session: Session, *, principal: Principal, now: datetime,
                   status: int = 200, problem: Problem | None = None) -> HTMLResponse:
    findings = finding_documents(session, list_findings(session), now)
    return page(request, "findings.html", principal=principal, now=now, status=status,
                open_findings=[f for f in findings if f.state == "open"],
                closed=[f for f in findings if f.state != "open"][:50],
                may_close=principal.role in FINDING_CLOSER_ROLES, problem=problem)


@router.get("/findings")
def findings_page(request: Request, session: SessionDep, now: NowDep,
                  principal: StaffDep) -> Response:
    require_inspection_reader(principal)
    return _findings_page(request, session, principal=principal, now=now)


@router.post("/findings/{finding_id}/close", dependencies=[CsrfChecked])
def close_finding_form(finding_id: FindingId, request: Request, session: SessionDep,
                       now: NowDep, ctx: ContextDep, principal: StaffDep,
                       form: FormDep) -> Response:
    require_finding_closer(principal)
    try:
        close_finding(session, policy=ctx.deadline_policy, finding_id=finding_id,
                      action=form_text(form, "action"), actor=principal.actor, now=now)
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _findings_page(request, session, principal=principal, now=now,
                              status=http_status(exc),
                              problem=Problem.of(exc, "close", str(finding_id)))
    flash(request, f"Finding #{finding_id} closed.")
    return RedirectResponse("/findings", 303)
