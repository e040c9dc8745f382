"""The suppliers (/suppliers) and one supplier (/suppliers/{code}): grades, cases, lots,
switching and blacklist, for the quality team.

Lifting a blacklist is the case pages' form handler (POST /suppliers/{code}/lift-blacklist);
this page only shows the form to those who may sign it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.csvfiles import write_csv
from capaflow.errors import supplier_not_found
from capaflow.inspection.lots import is_not_cooperative, standing_of
from capaflow.inspection.policy import load_inspection_policy
from capaflow.inspection.switching import STOPPED, effective_severity, standing_words
from capaflow.models import Case, Deadline, InspectionHold, SwitchingState
from capaflow.models.queries import (
    read_next_due,
    read_open_cases,
    read_open_holds,
    read_recent_lots,
    read_supplier_decisions,
    read_supplier_standings,
    read_switching_states,
)
from capaflow.scorecards import months as calendar_months
from capaflow.scorecards.charts import pareto_chart, score_chart
from capaflow.scorecards.history import GradedMonth, list_scorecards
from capaflow.scorecards.performance import (
    FACTOR_TITLES,
    Component,
    explain_components,
    pareto_months,
    ppm_trend,
)
from capaflow.scorecards.policy import load_scorecard_policy
from capaflow.serving.context import ApiContext, ContextDep, NowDep, SessionDep
from capaflow.suppliers.registry import find_supplier
from capaflow.targets.charts import sparkline
from capaflow.web.auth import StaffDep, get_staff
from capaflow.web.pages.overview import LIST_LIMIT, state_label
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

RECENT_LOTS = 20
CODE_LIMIT = 40  # Supplier.code


def inline_svg(svg: str) -> str:
    """The chart module's SVG document without its XML declaration, to sit inside HTML."""
    if svg.startswith("<?xml"):
        return svg.split("\n", 1)[1] if "\n" in svg else ""
    return svg


@router.get("/suppliers")
def suppliers_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                   principal: StaffDep) -> Response:
    return _suppliers_page(request, session, now=now, ctx=ctx, principal=principal)


def _suppliers_page(request: Request, session: Session, *, now: datetime, ctx: ApiContext,
                    principal: Principal, status: int = 200, **extra: Any) -> Response:
    """`extra`: what a form of the page shows again after a refusal (the new-supplier form)."""
    zone = ctx.deadline_policy.calendar.zone
    standings = read_supplier_standings(session,
                                        up_to_month=calendar_months.month_of(now, zone))
    return page(request, "suppliers.html", principal=principal, now=now, standings=standings,
                blacklisted=sum(1 for s in standings if s.supplier.blacklisted_at is not None),
                status=status, **extra)


@router.get("/suppliers.csv", dependencies=[Depends(get_staff)])
def suppliers_csv(session: SessionDep, now: NowDep, ctx: ContextDep) -> Response:
    """The suppliers list as a spreadsheet: each one's latest grade, score and month."""
    zone = ctx.deadline_policy.calendar.zone
    standings = read_supplier_standings(session,
                                        up_to_month=calendar_months.month_of(now, zone))
    rows = [[s.supplier.code, s.supplier.name, s.grade or "", _number(s.score), s.month or "",
             "yes" if s.supplier.blacklisted_at is not None else "no", s.open_cases]
            for s in standings]
    text = write_csv(["supplier", "name", "latest_grade", "score", "month", "blacklisted",
                      "open_cases"], rows)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="suppliers.csv"'})


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@dataclass(frozen=True)
class MonthComponents:
    """One graded month's factors, for the table of earlier months."""

    month: str
    grade: str
    score: float
    by_factor: dict[str, Component]


def _explained(graded: list[GradedMonth]) -> tuple[list[Component], GradedMonth | None,
                                                   list[MonthComponents]]:
    """The latest graded month's components, that month, and every graded month's."""
    months_explained = [
        MonthComponents(month=g.month, grade=g.grade, score=g.score,
                        by_factor={c.factor: c for c in explain_components(g.components)})
        for g in graded if g.grade is not None and g.score is not None]
    latest = next((g for g in reversed(graded) if g.grade is not None), None)
    return (explain_components(latest.components) if latest else []), latest, months_explained


@dataclass(frozen=True)
class PartSwitching:
    part: str
    stored: str  # the severity on record (ISO 2859-1 switching)
    inspected_as: str  # what the next lot is inspected under, with the supplier's rating
    why: str | None  # why the two differ
    standing: str  # where it stands, for the severity it is inspected under
    row: SwitchingState | None
    hold: InspectionHold | None  # 100 % inspection after a supplier-caused defect

    @property
    def discontinued(self) -> bool:
        """Inspection stopped (ISO 2859-1 9.4): what `capa inspect resume` resumes."""
        return self.stored == STOPPED


@dataclass(frozen=True)
class OpenCaseRow:
    case: Case
    state: str
    next_due: Deadline | None


@router.get("/suppliers/{code}")
def supplier_page(
    request: Request,
    code: str,
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: StaffDep,
    months: Annotated[int, Query(ge=1, le=120, description="Months of grades to chart.")] = 12,
) -> Response:
    return _supplier_page(request, code, session, now=now, ctx=ctx, principal=principal,
                          months=months)


def _supplier_page(request: Request, code: str, session: Session, *, now: datetime,
                   ctx: ApiContext, principal: Principal, months: int = 12, status: int = 200,
                   **extra: Any) -> Response:
    """`extra`: what a form of the page shows (the portal link, a refused resume)."""
    # A code no supplier can have is simply not found (and never reaches the database, which
    # would refuse some of it, such as a NUL character, with an error of its own).
    supplier = (find_supplier(session, code)
                if len(code) <= CODE_LIMIT and "\x00" not in code else None)
    if supplier is None or supplier.id is None:
        raise supplier_not_found(code[:CODE_LIMIT])
    scorecard_policy = load_scorecard_policy(ctx.policies, ctx.deadline_policy.calendar)
    graded = list_scorecards(session, code=supplier.code, count=months, now=now,
                             policy=scorecard_policy)
    # The same chart `capa scorecard chart` writes to a file.
    chart = inline_svg(score_chart(f"{supplier.code}: monthly score and grade",
                                   [(g.month, g.score, g.grade) for g in graded],
                                   scorecard_policy.grade_floors))

    cases, cases_total = read_open_cases(session, supplier_id=supplier.id, limit=LIST_LIMIT)
    due = read_next_due(session, [c.id for c in cases if c.id is not None])
    open_rows = [OpenCaseRow(c, state_label(c), due.get(c.id) if c.id is not None else None)
                 for c in cases]

    inspection_policy = load_inspection_policy(
        ctx.policies.get("inspection"), timezone=ctx.deadline_policy.calendar.timezone)
    not_cooperative = is_not_cooperative(session, supplier.id, now,
                                         ZoneInfo(inspection_policy.timezone))
    states = {row.part: row for row in read_switching_states(session, supplier.id)}
    holds = read_open_holds(session, supplier.id)
    parts = []
    for part in sorted(set(states) | set(holds)):
        standing = standing_of(states.get(part))
        inspected_as, why = effective_severity(standing, not_cooperative=not_cooperative,
                                               rules=inspection_policy.switch_rules)
        parts.append(PartSwitching(part=part, stored=standing.severity,
                                   inspected_as=inspected_as, why=why,
                                   standing=standing_words(standing, inspected_as),
                                   row=states.get(part), hold=holds.get(part)))

    zone = ctx.deadline_policy.calendar.zone
    components, latest, by_month = _explained(graded)
    trend = ppm_trend(session, supplier_id=supplier.id, now=now, zone=zone)
    ppm_line = sparkline(f"{supplier.code}: defective parts per million inspected, 12 months",
                         [m.ppm for m in trend], None, [False] * len(trend))
    pareto = pareto_months(session, supplier_id=supplier.id, now=now, zone=zone)
    pareto_svg = inline_svg(pareto_chart(
        f"{supplier.code}: defective pieces by defect code, 12 months", pareto))

    return page(
        request, "supplier.html", principal=principal, now=now, supplier=supplier,
        months=months, graded=list(reversed(graded)), chart=chart,
        open_rows=open_rows, cases_total=cases_total, limit=LIST_LIMIT,
        lots=read_recent_lots(session, supplier.id, limit=RECENT_LOTS), recent_lots=RECENT_LOTS,
        parts=parts, not_cooperative=not_cooperative,
        decisions=read_supplier_decisions(session, supplier.id),
        components=components, latest=latest, by_month=by_month, factor_titles=FACTOR_TITLES,
        trend=trend, ppm_line=ppm_line, pareto=pareto, pareto_svg=pareto_svg,
        status=status, **extra,
    )
