"""The 8D KPIs (/kpis) and their CSV export (/kpis.csv), for the quality team
(docs/architecture.md, "Supplier performance explained"): how long each discipline takes,
how often each supplier meets its deadlines, how old the open cases are. Read only; the
figures are casework.kpis's, the same the API and `capa kpi report` answer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from capaflow.casework.kpis import kpi_report, parse_window
from capaflow.documents.kpis import kpi_csv, kpi_document
from capaflow.errors import BadInput
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.fields import Short
from capaflow.web.auth import StaffDep
from capaflow.web.quality_forms import require_quality_reader
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

FromQuery = Annotated[Short | None, Query(alias="from", description="First day, YYYY-MM-DD.")]
ToQuery = Annotated[Short | None, Query(alias="to", description="Last day, YYYY-MM-DD.")]


@router.get("/kpis")
def kpis_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
              principal: StaffDep, from_text: FromQuery = None,
              to_text: ToQuery = None) -> Response:
    require_quality_reader(principal)
    asked = {"from": from_text or "", "to": to_text or ""}
    try:
        start, end = parse_window(from_text, to_text, now=now,
                                  zone=ctx.deadline_policy.calendar.zone)
    except BadInput as refused:
        # The filter form again, the field named; no figures for a window that is not one.
        return page(request, "kpis.html", principal=principal, now=now, report=None,
                    asked=asked, error=refused.message, field=refused.field, status=422)
    report = kpi_document(kpi_report(session, start=start, end=end, now=now))
    query = urlencode({k: v for k, v in asked.items() if v})
    return page(request, "kpis.html", principal=principal, now=now, report=report,
                asked=asked, error=None, field=None,
                csv_link="/kpis.csv" + (f"?{query}" if query else ""))


@router.get("/kpis.csv")
def kpis_csv(session: SessionDep, now: NowDep, ctx: ContextDep, principal: StaffDep,
             from_text: FromQuery = None, to_text: ToQuery = None) -> Response:
    require_quality_reader(principal)
    start, end = parse_window(from_text, to_text, now=now,
                              zone=ctx.deadline_policy.calendar.zone)
    report = kpi_document(kpi_report(session, start=start, end=end, now=now))
    return Response(kpi_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="8d-kpis.csv"'})
