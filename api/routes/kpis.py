"""/kpis: the 8D KPIs, the document `capa kpi report --json` prints (docs/architecture.md,
"Supplier performance explained"). For the quality team; suppliers are refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from capaflow.casework.kpis import kpi_report, parse_window
from capaflow.documents.kpis import KpiReportPublic, kpi_document
from capaflow.serving.context import ContextDep, NowDep, SessionDep, get_staff
from capaflow.serving.fields import Short

router = APIRouter(prefix="/kpis", tags=["kpis"])



@router.get("", response_model=KpiReportPublic, dependencies=[Depends(get_staff)])
def kpis_route(
    session: SessionDep, now: NowDep, ctx: ContextDep,
    from_text: Annotated[Short | None, Query(
        alias="from", description="First day (YYYY-MM-DD) or ISO time; default 365 days "
        "before `to`.")] = None,
    to_text: Annotated[Short | None, Query(
        alias="to", description="Last day, included (YYYY-MM-DD), or ISO time; default "
        "now.")] = None,
) -> KpiReportPublic:
    """Cycle time per 8D discipline (median and 90th percentile days), deadlines met on
    time / met late / missed per supplier, open 8D cases by age."""
    start, end = parse_window(from_text, to_text, now=now,
                              zone=ctx.deadline_policy.calendar.zone)
    return kpi_document(kpi_report(session, start=start, end=end, now=now))
