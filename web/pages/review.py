"""The monthly service quality review (/review?month=YYYY-MM and /review/{month}), for the
staff (docs/architecture.md, "Service quality control"): the document the API's GET
/reviews/{month} answers, each indicator's trend drawn as a sparkline. Read only: the month
is closed by `capa review close-month` or the monthly review flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from capaflow.documents.targets import review_document
from capaflow.scorecards import months
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.fields import Short
from capaflow.targets.charts import sparkline
from capaflow.targets.policy import review_policy
from capaflow.targets.review import monthly_review
from capaflow.web.auth import StaffDep
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

DepartmentQuery = Annotated[Short | None, Query(description="One department's code.")]


def _review_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                 principal: StaffDep, month: str | None, department: str | None) -> Response:
    policy = review_policy(ctx.runtime.policies)
    review = review_document(monthly_review(
        session, month=month or months.month_of(now, policy.zone), department=department,
        now=now, review=policy))
    lines = {
        (d.code, row.name): sparkline(
            f"{row.title}, 12 months to {review.month}", [t.value for t in row.trend],
            row.target, [t.met is False for t in row.trend])
        for d in review.departments for row in d.indicators}
    return page(request, "review.html", principal=principal, now=now, review=review,
                lines=lines, department=department, previous=months.shift(review.month, -1),
                following=months.shift(review.month, 1),
                current=months.month_of(now, policy.zone))


@router.get("/review")
def review_query_page(
    request: Request, session: SessionDep, now: NowDep, ctx: ContextDep, principal: StaffDep,
    month: Annotated[Short | None, Query(description="YYYY-MM (default: now's month).")] = None,
    department: DepartmentQuery = None,
) -> Response:
    return _review_page(request, session, now, ctx, principal, month, department)


@router.get("/review/{month}")
def review_month_page(
    month: str, request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
    principal: StaffDep, department: DepartmentQuery = None,
) -> Response:
    return _review_page(request, session, now, ctx, principal, month, department)
