"""The quality lead's case pages: open a case, the case page (header, D1–D8 or the PDCA
phases, deadlines, timeline with its signatures, costs, linked cases, the report as HTML and
PDF), the form for the next step, and the signed decisions (closing or cancelling a case,
lifting a blacklist).

Every rule stays in the services (statemachines.engine, accounts.signatures, chargeback,
scorecards.decisions); the case page reads reports.content, the same content model the 8D
report prints. Viewers see everything and get no forms; suppliers use their portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.accounts.scope import visible_case
from capaflow.accounts.signatures import LIFT_BLACKLIST, SignerRefused, meaning_for, sign
from capaflow.calendars import parse_instant
from capaflow.casework.catalogue import CaseCatalogue, case_catalogue, check_owner
from capaflow.casework.decisions import advance_as
from capaflow.casework.engine import get_case, needs_signature, open_case
from capaflow.casework.extensions import extension_rows
from capaflow.chargeback import KINDS, add_cost
from capaflow.conversation import comments_for
from capaflow.deadlines.policy import SEVERITIES, DeadlinePolicy
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.models import Submission
from capaflow.reports.content import CaseReport, DeadlineLine, case_report
from capaflow.reports.html import render_html
from capaflow.reports.pdf import render_pdf
from capaflow.scorecards.decisions import lift_blacklist
from capaflow.serving.context import ApiContext, ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden, http_status
from capaflow.serving.fields import MAX_ID, CaseId
from capaflow.statemachines import LIFECYCLES, Lifecycle
from capaflow.statemachines.lifecycle import FieldRule
from capaflow.suppliers.registry import get_supplier, list_suppliers
from capaflow.web.auth import StaffDep, ViewerDep
from capaflow.web.case_classification import classification_context
from capaflow.web.csrf import CsrfChecked
from capaflow.web.files import files_context
from capaflow.web.forms import (
    FIELD_PREFIX,
    FormDep,
    Kept,
    StepForm,
    field_input,
    form_text,
    step_label,
)
from capaflow.web.quality_forms import require_quality_writer
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)


# The step form's inputs are named "field.NAME", apart from the form's own trigger, note,
# password and version.
# Audits are planned with their checklist and cause reports opened by the scorecard's
# escalation (each through its own service); the page opens the two a lead starts by hand.
OPENED_HERE = ("8d", "pdca")
# Steps that write more than the case through a service of their own (the audit's finding
# rows, audits.service): taken here through the bare engine they would leave those rows
# behind, so the page neither offers nor accepts them (the audit page, web/pages/audits.py,
# and `capa supplier-audit ...` take them).
SERVICE_STEPS = {"audit": ("conduct", "raise_findings", "close_finding")}


# -- the form, as read ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A refusal shown on the page, beside the form it concerns."""

    message: str
    field: str | None
    form: str  # "step", "cost", "open", "lift", "classify", "parts"

    @classmethod
    def of(cls, exc: CapaError, form: str) -> Problem:
        return cls(message=exc.message, field=exc.field, form=form)


# -- what the case page shows ---------------------------------------------------------------

@dataclass(frozen=True)
class DeadlineRow:
    line: DeadlineLine
    css: str  # overdue, soon, met, open, ...
    label: str


def step_forms(machine: Lifecycle, state: str) -> list[StepForm]:
    """A form for each step the lifecycle allows in this state, with the fields its guard
    asks for (statemachines FieldRule) and, for a step into a final state, a signature."""
    if state in machine.final:
        # A closed 8D case goes back only by a recurrence that occurred inside its window,
        # and recording the defect reopens it (intake.recurrence): no form to offer.
        return []
    forms = []
    for trigger in machine.allowed(state):
        if trigger in SERVICE_STEPS.get(machine.name, ()):
            continue
        rule = machine.fields.get(trigger) or FieldRule()
        dest = machine.dest(trigger, state) or state
        signed = needs_signature(machine, state, trigger)
        forms.append(StepForm(
            trigger=trigger,
            label=step_label(trigger),
            dest=dest,
            fields=tuple(
                [field_input(machine, n, required=True) for n in rule.required]
                + [field_input(machine, n, required=False) for n in rule.optional]
            ),
            signed=signed,
            meaning=meaning_for(machine.name, trigger) if signed else None,
            danger=trigger in ("cancel", "reject", "reopen"),
        ))
    return forms


def deadline_rows(report: CaseReport, policy: DeadlinePolicy, now: datetime) -> list[DeadlineRow]:
    """The report's deadlines, with "due soon" for an open obligation whose reminder moment
    (the [reminders] policy the sweep reminds by) has passed."""
    rows = []
    for line in report.deadlines:
        css, label = line.status, line.label
        if line.status == "met" and line.met_on_time is False:
            css = "met-late"  # amber: neither on time (green) nor overdue (red)
        if line.status == "open" and line.kind == "obligation":
            remind = policy.reminder_at(line.started_at, line.due_at)
            if remind is not None and remind <= now < line.due_at:
                css, label = "soon", "due soon"
        rows.append(DeadlineRow(line=line, css=css, label=label))
    return rows


def _pending_submissions(session: Session, case_id: int) -> list[Submission]:
    return list(session.exec(
        select(Submission)
        .where(Submission.case_id == case_id)
        .where(Submission.status == "pending")
        .order_by(col(Submission.submitted_at).desc(), col(Submission.id).desc())
    ).all())


def _case_page(
    request: Request,
    session: Session,
    *,
    principal: Principal,
    now: datetime,
    policy: DeadlinePolicy,
    case_id: int,
    status: int = 200,
    problem: Problem | None = None,
    kept: Kept | None = None,
    file_problem: CapaError | None = None,
) -> HTMLResponse:
    report = case_report(session, case_id=case_id, now=now)
    case = get_case(session, case_id)
    machine = LIFECYCLES[case.lifecycle]
    kept = kept or Kept()
    steps = step_forms(machine, case.state) if principal.can_write else []
    # A refusal is shown beside its form; when that form is no longer on the page (the case
    # moved on meanwhile, or has no supplier to charge), at the top instead.
    shown = {("step", s.trigger) for s in steps}
    if principal.can_write and report.header.supplier_code:
        shown.add(("cost", ""))
    if principal.can_write:
        shown.add(("comment", ""))  # case_thread.html shows it beside its form
    panel = classification_context(session, principal, case)
    shown.update((form, "") for form, offered in (("classify", panel["can_classify"]),
                                                  ("parts", panel["can_receive_parts"]))
                 if offered)
    loose = problem is not None and (
        problem.form, kept.trigger if problem.form == "step" else "") not in shown
    return page(
        request, "case.html", principal=principal, now=now, status=status,
        report=report, h=report.header, case=case, version=case.version, steps=steps,
        deadlines=deadline_rows(report, policy, now),
        submissions=_pending_submissions(session, case_id),
        cost_kinds=KINDS, can_write=principal.can_write, problem=problem,
        loose_problem=problem if loose else None, kept=kept, field_prefix=FIELD_PREFIX,
        thread=comments_for(session, principal=principal, case_id=case_id),
        **files_context(request, session, principal, case_id, file_problem),
        extension_requests=extension_rows(session, case_id),
        **panel,
    )


@router.get("/cases/new")
def new_case_form(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                  principal: StaffDep) -> Response:
    require_quality_writer(principal)
    return _new_case_page(request, session, principal=principal, now=now,
                          catalogue=_catalogue(session, ctx))


def _catalogue(session: Session, ctx: ApiContext) -> CaseCatalogue:
    """The owners, parts and defect codes the form offers (casework.catalogue)."""
    return case_catalogue(session, people=ctx.routes.people,
                          defect_codes=ctx.policies.get("defect_codes", {}))


def _new_case_page(
    request: Request, session: Session, *, principal: Principal, now: datetime,
    status: int = 200, problem: Problem | None = None, kept: dict[str, str] | None = None,
    catalogue: CaseCatalogue | None = None,
) -> HTMLResponse:
    return page(
        request, "case_new.html", principal=principal, now=now, status=status,
        catalogue=catalogue,
        lifecycles=[(name, LIFECYCLES[name].title) for name in OPENED_HERE],
        suppliers=list_suppliers(session), severities=SEVERITIES, problem=problem,
        kept=kept or {"lifecycle": "8d", "severity": "major"},
    )


_OPEN_FIELDS = ("lifecycle", "title", "supplier", "part", "defect_code", "severity", "owner",
                "team", "problem")


@router.post("/cases", dependencies=[CsrfChecked])
def open_case_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                     principal: StaffDep, form: FormDep) -> Response:
    require_quality_writer(principal)
    kept = {name: form_text(form, name) for name in _OPEN_FIELDS}
    kept["complex"] = "yes" if form_text(form, "complex") else ""
    try:
        lifecycle = kept["lifecycle"].strip().lower()
        if lifecycle not in OPENED_HERE:
            raise BadInput(f"lifecycle: open a {' or '.join(OPENED_HERE)} case here (audits "
                           "are planned with their checklist; cause reports come from the "
                           "scorecard)", field="lifecycle")
        catalogue = _catalogue(session, ctx)
        check_owner(kept["owner"], catalogue)
        result = open_case(
            session, lifecycle=lifecycle, title=kept["title"],
            supplier_code=kept["supplier"].strip() or None, part=kept["part"],
            defect_code=kept["defect_code"], severity=kept["severity"].strip().lower(),
            complex_cause=bool(kept["complex"]), owner=kept["owner"], team=kept["team"],
            problem=kept["problem"], actor=principal.actor, now=now,
            policy=ctx.deadline_policy,
        )
    except (BadInput, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.field != "supplier":
            raise
        # The supplier comes from a list: one that is gone is a bad choice on the form.
        session.rollback()
        return _new_case_page(request, session, principal=principal, now=now, status=422,
                              problem=Problem.of(exc, "open"), kept=kept,
                              catalogue=_catalogue(session, ctx))
    case = result.case
    flash(request, f"Case #{case.id} opened: {case.title}")
    return RedirectResponse(f"/cases/{case.id}", 303)


@router.get("/cases/{case_id}")
def case_page(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
              ctx: ContextDep, principal: StaffDep) -> Response:
    return _case_page(request, session, principal=principal, now=now,
                      policy=ctx.deadline_policy, case_id=case_id)


def _version(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text.strip()) <= MAX_ID:
        raise BadInput("version: the form lost the case's version; reload the page",
                       field="version")
    return int(text.strip())


@router.post("/cases/{case_id}/steps", dependencies=[CsrfChecked])
def take_step(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
              ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """One step through the engine, signed when it ends the case; a refusal shows the case
    again with the person's input (422 bad input, 409 someone else moved the case)."""
    require_quality_writer(principal)
    trigger = form_text(form, "trigger").strip().lower()
    typed = {
        name[len(FIELD_PREFIX):]: value for name, value in form.multi_items()
        if name.startswith(FIELD_PREFIX) and isinstance(value, str)
    }
    # An optional field left empty is not recorded as an empty answer.
    given = {name: value for name, value in typed.items() if value.strip()}
    note = form_text(form, "note")
    kept = Kept(form="step", trigger=trigger, fields=typed, values={"note": note})
    try:
        version = _version(form_text(form, "version"))
        case = get_case(session, case_id)
        if trigger in SERVICE_STEPS.get(case.lifecycle, ()):
            raise BadInput(f"trigger: '{trigger}' is taken on the audit page "
                           f"(/audits/{case_id}), which also records the audit's findings",
                           field="trigger")
        result = advance_as(
            session, principal=principal, case_id=case_id, trigger=trigger, fields=given,
            note=note or None, password=form_text(form, "password"), now=now,
            policy=ctx.deadline_policy, expected_version=version,
        )
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    except (BadInput, Conflict) as exc:
        session.rollback()
        return _case_page(request, session, principal=principal, now=now,
                          policy=ctx.deadline_policy, case_id=case_id, status=http_status(exc),
                          problem=Problem.of(exc, "step"), kept=kept)
    message = f"Case #{case_id}: {trigger.replace('_', ' ')} recorded; now {result.case.state}."
    signature = result.event.fields.get("signature")
    if isinstance(signature, dict):
        message += f" Signed by {signature['signed_by']}."
    flash(request, message)
    return RedirectResponse(f"/cases/{case_id}", 303)


@router.post("/cases/{case_id}/costs", dependencies=[CsrfChecked])
def record_cost(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """A cost the case incurred, charged back to its supplier (as `capa cost add`)."""
    require_quality_writer(principal)
    values = {name: form_text(form, name) for name in ("kind", "amount", "currency", "at", "note")}
    try:
        incurred = None
        if values["at"].strip():
            try:
                incurred = parse_instant(values["at"], field="at")
            except ValueError as exc:
                raise BadInput(str(exc), field="at") from exc
        cost = add_cost(session, case_id=case_id, kind=values["kind"], amount=values["amount"],
                        currency=values["currency"], incurred_at=incurred, note=values["note"],
                        actor=principal.actor, now=now)
    except BadInput as exc:
        session.rollback()
        return _case_page(request, session, principal=principal, now=now,
                          policy=ctx.deadline_policy, case_id=case_id, status=422,
                          problem=Problem.of(exc, "cost"), kept=Kept(form="cost", values=values))
    flash(request, f"Cost recorded on case #{case_id}: {cost.kind.replace('_', ' ')} "
                   f"{cost.amount:.2f} {cost.currency}.")
    return RedirectResponse(f"/cases/{case_id}#costs", 303)


# -- the report -----------------------------------------------------------------------------

# A report holds a supplier's data: no shared cache may keep a copy.
PRIVATE = {"Cache-Control": "private, no-store"}

@router.get("/cases/{case_id}/report.html")
def report_html(case_id: CaseId, session: SessionDep, now: NowDep,
                principal: ViewerDep) -> Response:
    """The 8D report (or PDCA record) as one printable page; a supplier only its own."""
    visible_case(session, principal, case_id)
    report = case_report(session, case_id=case_id, now=now, for_supplier=principal.supplier_id)
    return HTMLResponse(render_html(report), headers=PRIVATE)


@router.get("/cases/{case_id}/report.pdf")
def report_pdf(case_id: CaseId, session: SessionDep, now: NowDep,
               principal: ViewerDep) -> Response:
    visible_case(session, principal, case_id)
    report = case_report(session, case_id=case_id, now=now, for_supplier=principal.supplier_id)
    kind = "pdca-record" if report.kind == "pdca" else "8d-report"
    return Response(
        render_pdf(report), media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="case-{case_id}-{kind}.pdf"',
                 **PRIVATE},
    )


# -- lifting a blacklist (signed) -----------------------------------------------------------

def _lift_page(request: Request, session: Session, *, principal: Principal, now: datetime,
               code: str, status: int = 200, problem: Problem | None = None,
               reason: str = "") -> HTMLResponse:
    supplier = get_supplier(session, code)
    return page(request, "case_lift_blacklist.html", principal=principal, now=now,
                status=status, supplier=supplier, meaning=LIFT_BLACKLIST, problem=problem,
                reason=reason)


@router.get("/suppliers/{code}/lift-blacklist")
def lift_blacklist_form(code: str, request: Request, session: SessionDep, now: NowDep,
                        principal: StaffDep) -> Response:
    require_quality_writer(principal)
    return _lift_page(request, session, principal=principal, now=now, code=code)


@router.post("/suppliers/{code}/lift-blacklist", dependencies=[CsrfChecked])
def lift_blacklist_submit(code: str, request: Request, session: SessionDep, now: NowDep,
                          principal: StaffDep, form: FormDep) -> Response:
    """Accept a blacklisted supplier's lots again: a signed decision (password re-entered)."""
    require_quality_writer(principal)
    reason = form_text(form, "reason")
    try:
        get_supplier(session, code)  # an unknown supplier is a 404 before any password
        signature = sign(session, principal=principal, password=form_text(form, "password"),
                         meaning=LIFT_BLACKLIST, now=now)
        supplier, _decision = lift_blacklist(session, code=code, reason=reason,
                                             actor=principal.actor, now=now,
                                             signature=signature)
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    except BadInput as exc:
        session.rollback()
        return _lift_page(request, session, principal=principal, now=now, code=code,
                          status=422, problem=Problem.of(exc, "lift"), reason=reason)
    flash(request, f"Blacklist of {supplier.code} lifted; signed by {signature['signed_by']}.")
    return RedirectResponse(f"/suppliers/{supplier.code}", 303)
