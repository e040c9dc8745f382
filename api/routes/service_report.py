"""/service/report: the monthly service report, the document `capa service report --month
--format json` prints (docs/architecture.md, "Service desk"). For the quality and service
staff; suppliers are refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from capaflow.documents.service_report import ServiceReportPublic, service_report_document
from capaflow.servicedesk.reports import service_report
from capaflow.serving.context import ContextDep, NowDep, SessionDep, get_staff
from capaflow.serving.fields import Short

router = APIRouter(prefix="/service", tags=["service"])


@router.get("/report", response_model=ServiceReportPublic, dependencies=[Depends(get_staff)])
def report_route(
    session: SessionDep, now: NowDep, ctx: ContextDep,
    month: Annotated[Short, Query(description="YYYY-MM, now's month or earlier.")],
) -> ServiceReportPublic:
    """Requests received, SLA attainment and breaches, satisfaction and its 12-month trend,
    complaints by category and claims, for a month on the calendar's zone."""
    report = service_report(session, month=month, now=now,
                            zone=ctx.deadline_policy.calendar.zone)
    return service_report_document(report)
