"""The supplier portal: a supplier's open requests, what each owes by when, and the forms to
submit containment, root cause, short-term fix, countermeasure and a written cause report;
the problem as the quality team described it; the conversation with the quality team; a
blacklisted supplier told so; and the signed link in its notices that lets its people in
without an account.

A supplier's people see their own supplier's cases, lots and grades only: a case of another
supplier answers exactly as a case that does not exist (accounts.scope).
Every rule stays in the services: submissions (what is owed, the fields a step needs, the
supplier scope) and accounts.links (the link).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from capaflow.accounts import LinkRefused, Principal, supplier_from_link
from capaflow.accounts.links import MAX_TOKEN
from capaflow.accounts.scope import visible_case
from capaflow.calendars import isoformat
from capaflow.conversation import MAX_BODY, post_comment, read_thread
from capaflow.conversation import NotPermitted as NotAllowedToWrite
from capaflow.deadlines.status import deadline_status, is_overdue
from capaflow.errors import BadInput, CapaError
from capaflow.models import Case, Deadline, DefectEvent, InspectionLot, Submission, Supplier
from capaflow.models.queries import case_deadlines, list_cases, next_due
from capaflow.scorecards.history import GradedMonth, list_scorecards
from capaflow.scorecards.policy import load_scorecard_policy
from capaflow.serving.context import ApiContext, ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import CaseId
from capaflow.statemachines import EIGHT_D, LIFECYCLES
from capaflow.statemachines.lifecycle import FieldRule
from capaflow.submissions import (
    STEP_NAMES,
    SUPPLIER_LIFECYCLES,
    NotPermitted,
    case_submissions,
    owed_findings,
    owed_steps,
    pending,
    submit,
)
from capaflow.web.auth import SupplierDep, ViewerDep, session_principal, start_session
from capaflow.web.context import WebDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.files import files_context
from capaflow.web.forms import (
    FIELD_LABELS,
    FIELD_PREFIX,
    FormDep,
    Kept,
    StepForm,
    field_input,
    form_text,
    step_label,
)
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

# The step form's inputs are named "field.NAME" (as on the case page), beside trigger and note.
RECENT_LOTS = 10
# The link's token must not travel on to another site in a Referer header.
_NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

# -- the link -------------------------------------------------------------------------------

def _refused_link(request: Request, now: datetime) -> Response:
    # One answer for tampered, expired and unknown: which it was would help a forger.
    response: Response = page(request, "portal_refused.html", principal=None, now=now,
                              status=403)
    response.headers.update(_NO_REFERRER)
    return response


def _keeps_account(request: Request, signed_in: Principal) -> Response:
    # Someone signed in with their own account keeps it: a link sent to a lead must not
    # swap their session for a supplier's (and what they then type into its portal).
    flash(request, f"You are signed in as {signed_in.name}; sign out first to open a "
                   "supplier's link.")
    return RedirectResponse("/portal" if signed_in.is_supplier else "/", 303,
                            headers=_NO_REFERRER)


@router.get("/portal/enter")
def enter(
    request: Request,
    session: SessionDep,
    now: NowDep,
    web: WebDep,
    t: Annotated[str, Query(max_length=MAX_TOKEN)] = "",
) -> Response:
    """The link in a supplier's notices: a session for that supplier, then its portal."""
    try:
        supplier = supplier_from_link(session, web.secret, t, now=now)
    except LinkRefused:
        return _refused_link(request, now)
    assert supplier.id is not None
    signed_in = session_principal(request, session, now=now, valid_for=web.session_valid)
    if signed_in is not None and signed_in.user_id is not None:
        return _keeps_account(request, signed_in)
    if signed_in is not None and signed_in.supplier_id != supplier.id:
        # The browser already holds another supplier's link session. A page of another site
        # could send it here with its own supplier's link (login CSRF): the person would then
        # type their company's answers into the other supplier's portal. Ask first; only a
        # POST from this page, with its CSRF token, switches.
        current = session.get(Supplier, signed_in.supplier_id)
        response: Response = page(request, "portal_switch.html", principal=signed_in,
                                  now=now, current=current, wanted=supplier, token=t)
        response.headers.update(_NO_REFERRER)
        return response
    start_session(request, now=now, supplier_id=supplier.id)
    return RedirectResponse("/portal", 303, headers=_NO_REFERRER)


@router.post("/portal/enter", dependencies=[CsrfChecked])
def enter_confirmed(request: Request, session: SessionDep, now: NowDep, web: WebDep,
                    form: FormDep) -> Response:
    """The switch to another supplier's portal, confirmed on the page GET /portal/enter
    showed: the link is checked again, as if it were opened now."""
    token = form_text(form, "t")[:MAX_TOKEN + 1]
    try:
        supplier = supplier_from_link(session, web.secret, token, now=now)
    except LinkRefused:
        return _refused_link(request, now)
    assert supplier.id is not None
    signed_in = session_principal(request, session, now=now, valid_for=web.session_valid)
    if signed_in is not None and signed_in.user_id is not None:
        return _keeps_account(request, signed_in)
    start_session(request, now=now, supplier_id=supplier.id)
    flash(request, f"You are now in the portal of {supplier.name}.")
    return RedirectResponse("/portal", 303, headers=_NO_REFERRER)


# -- the overview ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenRequest:
    case: Case
    owed: tuple[str, ...]  # step names owed by the supplier now
    deadline: Deadline | None
    overdue: bool
    waiting: Submission | None  # the supplier's submission waiting for review


def _supplier(session: Session, principal: Principal) -> Supplier:
    supplier = session.get(Supplier, principal.supplier_id)
    if supplier is None:  # gone since the session began (web.auth checks on each request)
        raise forbidden("this supplier no longer exists")
    return supplier


def open_requests(session: Session, supplier_id: int, now: datetime) -> list[OpenRequest]:
    """The supplier's open 8D cases and written cause reports, each with what it owes next
    and by when."""
    cases = [c for lifecycle in SUPPLIER_LIFECYCLES
             for c in list_cases(session, now=now, supplier_id=supplier_id,
                                 lifecycle=lifecycle, limit=10_000)
             if c.state not in LIFECYCLES[lifecycle].final]
    due = next_due(session, [c.id for c in cases if c.id is not None])
    waiting = {s.case_id: s for s in pending(session, supplier_id=supplier_id)}
    rows = []
    for case in cases:
        deadline = due.get(case.id) if case.id is not None else None
        rows.append(OpenRequest(
            case=case, owed=owed_steps(case), deadline=deadline,
            overdue=deadline is not None and is_overdue(deadline, now),
            waiting=waiting.get(case.id) if case.id is not None else None,
        ))
    return rows


def _recent_lots(session: Session, supplier_id: int) -> list[InspectionLot]:
    return list(session.exec(
        select(InspectionLot).where(InspectionLot.supplier_id == supplier_id)
        .order_by(col(InspectionLot.inspected_at).desc(), col(InspectionLot.id).desc())
        .limit(RECENT_LOTS)
    ))


def _latest_grade(
    session: Session, code: str, now: datetime, ctx: ApiContext
) -> GradedMonth | None:
    policy = load_scorecard_policy(ctx.policies, ctx.deadline_policy.calendar)
    graded = list_scorecards(session, code=code, count=12, now=now, policy=policy)
    # A month not graded has no grade to show: the latest graded one stands.
    graded = [g for g in graded if g.graded]
    return graded[-1] if graded else None


@router.get("/portal")
def portal(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
           principal: SupplierDep) -> Response:
    supplier = _supplier(session, principal)
    assert supplier.id is not None
    return page(
        request, "portal.html", principal=principal, now=now, supplier=supplier,
        blacklist=_blacklist(supplier),
        requests=open_requests(session, supplier.id, now), step_names=STEP_NAMES,
        lots=_recent_lots(session, supplier.id),
        grade=_latest_grade(session, supplier.code, now, ctx),
        findings=owed_findings(session, supplier_id=supplier.id, now=now),
    )


# -- one case -------------------------------------------------------------------------------

def step_form(trigger: str, lifecycle: str = EIGHT_D.name) -> StepForm:
    """The form of a step: the fields its guard asks for (the lifecycle's FieldRule)."""
    machine = LIFECYCLES[lifecycle]
    rule = machine.fields.get(trigger) or FieldRule()
    return StepForm(
        trigger=trigger, label=STEP_NAMES.get(trigger, step_label(trigger)).capitalize(),
        fields=tuple([field_input(machine, n, required=True) for n in rule.required]
                     + [field_input(machine, n, required=False) for n in rule.optional]),
    )


@dataclass(frozen=True)
class ProblemFacts:
    """What the quality team found, as the supplier needs it to answer: the problem
    description (D2), how many parts, in which lots."""

    description: str | None
    quantity: int
    lots: tuple[str, ...]


def problem_facts(session: Session, case: Case) -> ProblemFacts:
    defects = list(session.exec(select(DefectEvent).where(DefectEvent.case_id == case.id)))
    lot_ids = {d.inspection_lot_id for d in defects if d.inspection_lot_id is not None}
    lots = list(session.exec(select(InspectionLot).where(
        (col(InspectionLot.case_id) == case.id) | col(InspectionLot.id).in_(lot_ids))
        .order_by(col(InspectionLot.id))))
    description = case.content.get("problem")
    return ProblemFacts(
        description=description if isinstance(description, str) else None,
        quantity=sum(d.quantity for d in defects),
        lots=tuple(dict.fromkeys(lot.lot for lot in lots)),
    )


@dataclass(frozen=True)
class Blacklist:
    since: datetime
    reason: str


def _blacklist(supplier: Supplier) -> Blacklist | None:
    if supplier.blacklisted_at is None:
        return None
    return Blacklist(since=supplier.blacklisted_at,
                     reason=supplier.blacklist_reason or "grade E")


def _prefilled(submissions: list[Submission], owed: tuple[str, ...]) -> dict[str, Kept]:
    """For each owed step whose latest submission was sent back, that submission's text: the
    supplier corrects it instead of typing it all again."""
    latest: dict[str, Submission] = {}
    for s in submissions:  # oldest first
        latest[s.trigger] = s
    return {
        t: Kept(form="step", trigger=t,
                fields={n: str(v) for n, v in latest[t].fields.items()},
                values={"note": latest[t].note or ""})
        for t in owed if t in latest and latest[t].status == "rejected"
    }


def _case_page(
    request: Request,
    session: Session,
    *,
    principal: Principal,
    now: datetime,
    case: Case,
    status: int = 200,
    problem: CapaError | None = None,
    kept: Kept | None = None,
    file_problem: CapaError | None = None,
) -> Response:
    assert case.id is not None
    deadlines = [d for d in case_deadlines(session, case.id) if d.kind == "obligation"]
    submissions = case_submissions(session, case_id=case.id)
    owed = owed_steps(case)
    supplier = _supplier(session, principal)
    return page(
        request, "portal_case.html", principal=principal, now=now, status=status, case=case,
        discipline=LIFECYCLES[case.lifecycle].disciplines.get(case.state, case.state),
        deadlines=[(d, deadline_status(d, now)) for d in deadlines],
        submissions=submissions, prefilled=_prefilled(submissions, owed),
        forms=[step_form(t, case.lifecycle) for t in owed], step_names=STEP_NAMES,
        field_labels=FIELD_LABELS, problem=problem, kept=kept or Kept(),
        field_prefix=FIELD_PREFIX, facts=problem_facts(session, case),
        thread=read_thread(session, principal=principal, case_id=case.id),
        blacklist=_blacklist(supplier), max_comment=MAX_BODY,
        **files_context(request, session, principal, case.id, file_problem),
    )


@router.get("/portal/cases/{case_id}")
def portal_case(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                principal: ViewerDep) -> Response:
    if not principal.is_supplier:
        return RedirectResponse(f"/cases/{case_id}", 303)  # the quality team's own page
    case = visible_case(session, principal, case_id)
    if case.lifecycle == "audit":  # its findings and files: web/pages/portal_findings.py
        return RedirectResponse(f"/portal/audits/{case_id}", 303)
    return _case_page(request, session, principal=principal, now=now, case=case)


def _kept(form: FormData) -> Kept:
    fields = {
        name.removeprefix(FIELD_PREFIX): value
        for name, value in form.multi_items()
        if name.startswith(FIELD_PREFIX) and isinstance(value, str)
    }
    return Kept(form="step", trigger=form_text(form, "trigger"), fields=fields,
                values={"note": form_text(form, "note")})


@router.post("/portal/cases/{case_id}/submit", dependencies=[CsrfChecked])
def portal_submit(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                  principal: SupplierDep, form: FormDep) -> Response:
    # Another supplier's case is a 404 before anything of the form is looked at.
    case = visible_case(session, principal, case_id)
    kept = _kept(form)
    # An optional field left empty is not part of the answer; a required one left empty is
    # reported by the guard, naming it.
    answer = {name: value for name, value in kept.fields.items() if value.strip()}
    try:
        submission = submit(session, principal=principal, case_id=case_id,
                            trigger=kept.trigger, fields=answer, note=kept.values["note"],
                            now=now)
    except BadInput as exc:
        session.rollback()  # nothing was written; make sure of it before the page renders
        return _case_page(request, session, principal=principal, now=now, case=case,
                          status=422, problem=exc, kept=kept)
    except NotPermitted as exc:  # not reachable for SupplierDep; kept as a second line
        raise forbidden(exc.message) from exc
    what = STEP_NAMES.get(submission.trigger, submission.trigger)
    flash(request, f"Your {what} for case {case_id} was sent to the quality team for review "
                   f"({isoformat(now)[:16].replace('T', ' ')} UTC).")
    return RedirectResponse(f"/portal/cases/{case_id}", 303)



@router.post("/portal/cases/{case_id}/comments", dependencies=[CsrfChecked])
def portal_comment(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                   ctx: ContextDep, principal: SupplierDep, form: FormDep) -> Response:
    """The supplier's word on its case, to the quality team (always shared); a refusal shows
    the page again with the text kept and the field named."""
    case = visible_case(session, principal, case_id)
    body = form_text(form, "body")
    try:
        post_comment(session, principal=principal, case_id=case_id, body=body,
                     internal=False, now=now, policy=ctx.deadline_policy)
    except BadInput as exc:
        session.rollback()
        return _case_page(request, session, principal=principal, now=now, case=case,
                          status=422, problem=exc,
                          kept=Kept(form="comment", values={"body": body}))
    except NotAllowedToWrite as exc:  # not reachable for SupplierDep; kept as a second line
        raise forbidden(exc.message) from exc
    flash(request, f"Your message on case {case_id} was sent to the quality team.")
    return RedirectResponse(f"/portal/cases/{case_id}#conversation", 303)
