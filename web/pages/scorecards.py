"""The monthly scorecard page (/scorecards?month=YYYY-MM, default the month before now's):
every supplier's grade for the month with its score, what counted and the escalations fired;
the "Run" button that grades the month through scorecards.grading.run_month (as `capa
scorecard run --month`, the signed-in user on record as who started it), and the form that
rates a supplier's cooperation for a month (scorecards.rate_supplier, as `capa supplier
rate`).

The escalations a run takes (audit, meeting, cause report, blacklist at E) are the rules'
(docs/architecture.md, "Quality rules"): the run is not a person's decision on a case, so it is
not signed, as on the CLI and the API. A refusal shows the page again with the field named.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.errors import BadInput, NotFound
from capaflow.scorecards import ATTITUDES, rate_supplier
from capaflow.scorecards.grading import SupplierResult, run_month
from capaflow.scorecards.history import GradedMonth, list_scorecards
from capaflow.scorecards.months import check_not_future, month_of, parse_month, shift
from capaflow.scorecards.policy import ScorecardPolicy, load_scorecard_policy
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.suppliers.registry import list_suppliers
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.quality_forms import Problem, require_quality_reader, require_quality_writer
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)


def _months_back(month: str, now: datetime, policy: ScorecardPolicy) -> int:
    """How many months from `month` up to now's, counted as list_scorecards counts them."""
    year, number = parse_month(month)
    last_year, last_number = parse_month(month_of(now, policy.calendar.zone))
    return (last_year - year) * 12 + last_number - number + 1


def _grades(session: Session, month: str, now: datetime,
            policy: ScorecardPolicy) -> list[GradedMonth]:
    count = _months_back(month, now, policy)
    if count > 1200:
        return []
    return [g for g in list_scorecards(session, code=None, count=count, now=now, policy=policy)
            if g.month == month]


def _scorecard_page(
    request: Request, session: Session, *, principal: Principal, now: datetime, month: str,
    policy: ScorecardPolicy, status: int = 200, problem: Problem | None = None,
    kept: dict[str, str] | None = None,
) -> HTMLResponse:
    return page(request, "scorecards.html", principal=principal, now=now, status=status,
                month=month, grades=_grades(session, month, now, policy),
                suppliers=list_suppliers(session), attitudes=ATTITUDES, problem=problem,
                kept=kept or {"month": month}, can_write=principal.can_write)


def _policy(ctx: ContextDep) -> ScorecardPolicy:
    return load_scorecard_policy(ctx.policies, ctx.deadline_policy.calendar)


def _last_month(now: datetime, policy: ScorecardPolicy) -> str:
    return shift(month_of(now, policy.calendar.zone), -1)


@router.get("/scorecards")
def scorecards_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                    principal: StaffDep, month: str = Query("", max_length=20)) -> Response:
    require_quality_reader(principal)
    policy = _policy(ctx)
    wanted = month.strip() or _last_month(now, policy)
    try:
        wanted = check_not_future(wanted, now, policy.calendar.zone)
    except BadInput as exc:
        problem = Problem.of(exc, "month")
        return _scorecard_page(request, session, principal=principal, now=now,
                               month=_last_month(now, policy), policy=policy,
                               status=problem.status, problem=problem)
    return _scorecard_page(request, session, principal=principal, now=now, month=wanted,
                           policy=policy)


def said(month: str, results: list[SupplierResult]) -> str:
    """What the run did, in the quality lead's words."""
    if not results:
        return f"{month}: no supplier to grade."
    graded = [f"{r.code} {r.grade}" for r in results if r.grade is not None]
    text = f"{month} graded: {', '.join(graded) or 'no supplier had anything to grade'}."
    fired = [f"{r.code}: {e.rule.replace('_', ' ')}" for r in results for e in r.escalations]
    if fired:
        text += f" Escalations taken: {'; '.join(fired)}."
    if any(r.provisional for r in results):
        text += " The month is not over: its grades are provisional and escalations wait."
    return text


@router.post("/scorecards/run", dependencies=[CsrfChecked])
def run_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
               principal: StaffDep, form: FormDep) -> Response:
    """Grade every supplier for the month and take the escalations the grades call for."""
    require_quality_writer(principal)
    policy = _policy(ctx)
    month = form_text(form, "month").strip()
    try:
        results = run_month(session, month=month, now=now, policy=policy,
                            actor=principal.actor)
    except BadInput as exc:
        session.rollback()
        problem = Problem.of(exc, "run")
        return _scorecard_page(request, session, principal=principal, now=now,
                               month=_last_month(now, policy), policy=policy,
                               status=problem.status, problem=problem, kept={"month": month})
    shown = results[0].month if results else month
    flash(request, said(shown, results))
    return RedirectResponse(f"/scorecards?month={shown}", 303)


@router.post("/scorecards/ratings", dependencies=[CsrfChecked])
def rate_submit(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                principal: StaffDep, form: FormDep) -> Response:
    """Rate a supplier's cooperation for a month (it counts in that month's grade)."""
    require_quality_writer(principal)
    policy = _policy(ctx)
    kept = {name: form_text(form, name) for name in ("supplier", "month", "attitude")}
    try:
        supplier, rating = rate_supplier(
            session, code=kept["supplier"].strip(), month=kept["month"].strip(),
            attitude=kept["attitude"].strip(), actor=principal.actor, now=now, policy=policy)
    except (BadInput, NotFound) as exc:
        session.rollback()
        problem = Problem.of(exc, "rate")
        return _scorecard_page(request, session, principal=principal, now=now,
                               month=_last_month(now, policy), policy=policy,
                               status=problem.status, problem=problem, kept=kept)
    flash(request, f"{supplier.code} {rating.month}: cooperation rated "
                   f"{rating.attitude.replace('_', ' ')}. Run the month again to grade it in.")
    return RedirectResponse(f"/scorecards?month={rating.month}", 303)


@router.get("/scorecards/run")
@router.get("/scorecards/ratings")
def form_refreshed() -> RedirectResponse:
    """A form's address opened again (a refresh after a refusal): back to the page, nothing
    done (as web/pages/refreshed_forms.py for the case forms)."""
    return RedirectResponse("/scorecards", 303)
