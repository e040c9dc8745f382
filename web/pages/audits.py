"""The supplier audit pages (5M1E, docs/architecture.md, "Quality rules"): the list of audits
with the form that plans one (/audits), and one audit's page (/audits/{id}) where the quality
team records the checklist results (failed items become findings), raises one more finding,
closes a finding with the action taken and its evidence, and closes the audit, a signed
decision (password re-entered). Each through the audits service the CLI calls (`capa
supplier-audit plan|conduct|finding add|finding close|close`); cancelling stays a step on the
case page.

A refusal shows the page again with the field named and what was typed; nothing is written.
Writers use the forms; a viewer reads.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.signatures import SignerRefused, meaning_for, sign
from capaflow.audits import (
    AuditPolicy,
    Failure,
    add_finding,
    close_audit,
    close_finding,
    conduct_audit,
    load_audit_policy,
    plan_audit,
    show_audit,
)
from capaflow.audits.service import LIFECYCLE
from capaflow.calendars import parse_instant
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.models import AuditFinding
from capaflow.models.queries import list_cases
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import MAX_ID, CaseId
from capaflow.submissions import pending
from capaflow.suppliers.registry import list_suppliers
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.quality_forms import (
    Problem,
    kept_values,
    require_quality_reader,
    require_quality_writer,
)
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

STATE_WORDS = {"planned": "planned", "conducted": "conducted",
               "findings_open": "findings being worked", "closed": "closed",
               "cancelled": "cancelled"}
FactorItems = list[tuple[str, list[tuple[str, str]]]]


def _checklist(policy: AuditPolicy) -> FactorItems:
    """The checklist's items (id, what is checked) by 5M1E factor, in the policy's order."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for item in policy.checklist:
        grouped.setdefault(item.factor, []).append((item.id, item.text))
    return list(grouped.items())


# -- the list and planning --------------------------------------------------------------------

def _list_page(request: Request, session: Session, *, principal: Principal, now: datetime,
               status: int = 200, problem: Problem | None = None,
               kept: dict[str, str] | None = None) -> HTMLResponse:
    audits = [show_audit(session, case_id=c.id)
              for c in list_cases(session, now=now, lifecycle=LIFECYCLE, limit=200)
              if c.id is not None]
    return page(request, "audits.html", principal=principal, now=now, status=status,
                audits=audits, suppliers=list_suppliers(session), problem=problem,
                kept=kept or {}, states=STATE_WORDS, can_write=principal.can_write)


@router.get("/audits")
def audits_page(request: Request, session: SessionDep, now: NowDep,
                principal: StaffDep) -> Response:
    require_quality_reader(principal)
    return _list_page(request, session, principal=principal, now=now)


@router.post("/audits", dependencies=[CsrfChecked])
def plan_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                principal: StaffDep, form: FormDep) -> Response:
    """Plan an on-site audit of a supplier, as `capa supplier-audit plan`."""
    require_quality_writer(principal)
    kept = kept_values(form, ("supplier", "title", "owner", "scope"))
    try:
        result = plan_audit(
            session, supplier_code=kept["supplier"].strip(),
            title=kept["title"].strip() or None, owner=kept["owner"].strip() or None,
            scope=kept["scope"].strip() or None, actor=principal.actor, now=now,
            policy=ctx.deadline_policy)
    except (BadInput, NotFound) as exc:
        session.rollback()
        problem = Problem.of(exc, "plan")
        return _list_page(request, session, principal=principal, now=now,
                          status=problem.status, problem=problem, kept=kept)
    flash(request, f"Audit #{result.case.id} planned: {result.case.title}.")
    return RedirectResponse(f"/audits/{result.case.id}", 303)


# -- one audit ----------------------------------------------------------------------------------

def _audit_page(request: Request, session: Session, *, principal: Principal, now: datetime,
                case_id: int, policy: AuditPolicy, status: int = 200,
                problem: Problem | None = None, kept: dict[str, str] | None = None,
                ) -> HTMLResponse:
    view = show_audit(session, case_id=case_id)
    return page(request, "audit.html", principal=principal, now=now, status=status,
                view=view, case=view.case, checklist=_checklist(policy), problem=problem,
                kept=kept or {}, states=STATE_WORDS, can_write=principal.can_write,
                meaning=meaning_for(LIFECYCLE, "close"),
                # The supplier's answers waiting for review (web/pages/portal_findings.py).
                finding_answers=pending(session, case_id=case_id))


@router.get("/audits/{case_id}")
def audit_page(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
               ctx: ContextDep, principal: StaffDep) -> Response:
    require_quality_reader(principal)
    return _audit_page(request, session, principal=principal, now=now, case_id=case_id,
                       policy=load_audit_policy(ctx.policies))


def _refused(request: Request, session: Session, exc: CapaError, form: str, *,
             principal: Principal, now: datetime, case_id: int, policy: AuditPolicy,
             kept: dict[str, str]) -> HTMLResponse:
    session.rollback()
    problem = Problem.of(exc, form)
    return _audit_page(request, session, principal=principal, now=now, case_id=case_id,
                       policy=policy, status=problem.status, problem=problem, kept=kept)


def _failures(form_values: dict[str, str], policy: AuditPolicy) -> list[Failure]:
    """The failed items as the form gives them: result:ITEM = failed, found:ITEM = what was
    found (every other item passed), read as the CLI reads --fail ITEM=WHAT WAS FOUND."""
    failures = []
    for item in policy.checklist:
        if form_values.get(f"result:{item.id}", "passed") != "failed":
            continue
        found = form_values.get(f"found:{item.id}", "").strip()
        if not found:
            raise BadInput(f"found: say what was found on the failed item '{item.text}'",
                           field=f"found:{item.id}")
        failures.append(Failure(item=item.id, description=found))
    return failures


@router.post("/audits/{case_id}/conduct", dependencies=[CsrfChecked])
def conduct_submit(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                   ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """Record the checklist results, as `capa supplier-audit conduct`."""
    require_quality_writer(principal)
    policy = load_audit_policy(ctx.policies)
    kept = {name: value for name, value in form.multi_items() if isinstance(value, str)
            and name != "csrf_token"}
    try:
        result = conduct_audit(
            session, case_id=case_id, auditors=kept.get("auditors", ""),
            failures=_failures(kept, policy), owner=kept.get("owner", "").strip() or None,
            site=kept.get("site", "").strip() or None, actor=principal.actor, now=now,
            policy=ctx.deadline_policy, audit_policy=policy)
    except (BadInput, Conflict) as exc:
        return _refused(request, session, exc, "conduct", principal=principal, now=now,
                        case_id=case_id, policy=policy, kept=kept)
    found = len(result.findings)
    flash(request, f"Audit #{case_id} conducted: " + (
        f"{found} finding{'s' if found != 1 else ''} raised." if found
        else "every checklist item passed; the audit is closed."))
    return RedirectResponse(f"/audits/{case_id}", 303)


@router.post("/audits/{case_id}/findings", dependencies=[CsrfChecked])
def add_finding_submit(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                       ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """One more finding on a conducted audit, as `capa supplier-audit finding add`."""
    require_quality_writer(principal)
    policy = load_audit_policy(ctx.policies)
    kept = kept_values(form, ("item", "description", "owner", "due"))
    try:
        due = None
        if kept["due"].strip():
            try:
                due = parse_instant(kept["due"], field="due")
            except ValueError as exc:
                raise BadInput(str(exc), field="due") from exc
        failure = Failure(item=kept["item"], description=kept["description"],
                          owner=kept["owner"], due_at=due)
        _step, finding = add_finding(session, case_id=case_id, failure=failure,
                                     actor=principal.actor, now=now,
                                     policy=ctx.deadline_policy, audit_policy=policy)
    except (BadInput, Conflict) as exc:
        return _refused(request, session, exc, "add", principal=principal, now=now,
                        case_id=case_id, policy=policy, kept=kept)
    flash(request, f"Finding #{finding.id} raised on audit #{case_id}.")
    return RedirectResponse(f"/audits/{case_id}#findings", 303)


@router.post("/audits/findings/{finding_id}/close", dependencies=[CsrfChecked])
def close_finding_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                         principal: StaffDep, form: FormDep,
                         finding_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    """Close a finding with the action taken and its evidence, as `capa supplier-audit
    finding close --resolution`."""
    require_quality_writer(principal)
    finding = session.get(AuditFinding, finding_id)
    if finding is None:
        raise NotFound(f"finding {finding_id} does not exist", field="finding")
    case_id = finding.case_id
    policy = load_audit_policy(ctx.policies)
    action = form_text(form, "action").strip()
    evidence = form_text(form, "evidence").strip()
    kept = {"finding": str(finding_id), "action": action, "evidence": evidence}
    try:
        if not action:
            raise BadInput("action: say what was done about the finding", field="action")
        # One resolution, as the CLI's --resolution: the action, then the evidence it worked.
        resolution = f"{action}\nEvidence: {evidence}" if evidence else action
        close_finding(session, finding_id=finding_id, resolution=resolution,
                      actor=principal.actor, now=now, policy=ctx.deadline_policy)
    except (BadInput, Conflict) as exc:
        return _refused(request, session, exc, f"close-{finding_id}", principal=principal,
                        now=now, case_id=case_id, policy=policy, kept=kept)
    flash(request, f"Finding #{finding_id} closed.")
    return RedirectResponse(f"/audits/{case_id}#findings", 303)


@router.post("/audits/{case_id}/close", dependencies=[CsrfChecked])
def close_submit(case_id: CaseId, request: Request, session: SessionDep, now: NowDep,
                 ctx: ContextDep, principal: StaffDep, form: FormDep) -> Response:
    """Close the audit: a signed decision (the password re-entered), refused while any
    finding is open, as `capa supplier-audit close`."""
    require_quality_writer(principal)
    policy = load_audit_policy(ctx.policies)
    summary = form_text(form, "summary")
    try:
        open_now = show_audit(session, case_id=case_id).open_findings
        if open_now:
            # Said before the password is asked for: no signature is checked for nothing.
            listed = ", ".join(f"#{f.id}" for f in open_now)
            raise Conflict(f"findings: {len(open_now)} finding(s) still open ({listed}): "
                           "close each one first", field="findings")
        signature = sign(session, principal=principal, password=form_text(form, "password"),
                         meaning=meaning_for(LIFECYCLE, "close"), now=now)
        close_audit(session, case_id=case_id, summary=summary, actor=principal.actor,
                    now=now, policy=ctx.deadline_policy, signature=signature)
    except SignerRefused as exc:
        raise forbidden(exc.message) from exc
    except (BadInput, Conflict) as exc:
        return _refused(request, session, exc, "close", principal=principal, now=now,
                        case_id=case_id, policy=policy, kept={"summary": summary})
    flash(request, f"Audit #{case_id} closed; signed by {signature['signed_by']}.")
    return RedirectResponse(f"/audits/{case_id}", 303)



# A form's address opened again (a refresh after a refusal): back to the audit's page, nothing
# done (as web/pages/refreshed_forms.py for the case forms).

@router.get("/audits/{case_id}/conduct")
@router.get("/audits/{case_id}/findings")
@router.get("/audits/{case_id}/close")
def audit_form_refreshed(case_id: CaseId) -> RedirectResponse:
    return RedirectResponse(f"/audits/{case_id}", 303)


@router.get("/audits/findings/{finding_id}/close")
def finding_form_refreshed(session: SessionDep, principal: StaffDep,
                           finding_id: int = Path(ge=1, le=MAX_ID)) -> RedirectResponse:
    require_quality_reader(principal)
    finding = session.get(AuditFinding, finding_id)
    return RedirectResponse(f"/audits/{finding.case_id}" if finding else "/audits", 303)
