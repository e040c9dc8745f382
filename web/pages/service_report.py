"""The monthly service report (/service/report?month=YYYY-MM) with its charts, for the staff
(docs/architecture.md, "Service desk"). The figures are servicedesk.reports's, the document
the API's GET /service/report answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from capaflow.documents.service_report import AttainmentPublic, service_report_document
from capaflow.scorecards import months
from capaflow.servicedesk.charts import attainment_chart, complaints_pareto_chart, trend_chart
from capaflow.servicedesk.reports import service_report
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.fields import Short
from capaflow.web.auth import StaffDep
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/service/report")
def service_report_page(
    request: Request, session: SessionDep, now: NowDep, ctx: ContextDep, principal: StaffDep,
    month: Annotated[Short | None, Query(description="YYYY-MM (default: now's month).")] = None,
) -> Response:
    zone = ctx.deadline_policy.calendar.zone
    report = service_report_document(service_report(
        session, month=month or months.month_of(now, zone), now=now, zone=zone))
    first, resolution = report.attainment
    tiers = sorted({a.group for a in [*first.by_tier, *resolution.by_tier]})

    def share_of(rows: list[AttainmentPublic], tier: str) -> float | None:
        return next((r.share for r in rows if r.group == tier), None)

    charts = {
        "tiers": attainment_chart(
            f"SLA attainment by tier, {report.month}",
            [(t, share_of(first.by_tier, t), share_of(resolution.by_tier, t)) for t in tiers]),
        "trend": trend_chart(
            f"12 months to {report.month}", [t.month for t in report.trend],
            {"first response": [t.first_response for t in report.trend],
             "resolution": [t.resolution for t in report.trend],
             "CSAT": [t.csat for t in report.trend],
             "NPS": [t.nps for t in report.trend]}),
        "pareto": complaints_pareto_chart(
            f"Complaints by category, {report.month}",
            [(p.category, p.count, p.cumulative_share) for p in report.complaints]),
    }
    return page(request, "service_report.html", principal=principal, now=now, report=report,
                charts=charts, previous=months.shift(report.month, -1),
                following=months.shift(report.month, 1),
                current=months.month_of(now, zone))
