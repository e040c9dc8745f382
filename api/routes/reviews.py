"""/reviews/{month}: the monthly service quality review, the document `capa review month
--json` prints, and POST /reviews/{month}/close, `capa review close-month` (docs/architecture.md,
"Service quality control"). Any member of the quality team or the desk reads it; closing a
month (which opens PDCA cycles) is the service manager's or the quality manager's; suppliers
see none of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from capaflow.documents.targets import (
    ClosedMonthPublic,
    MonthlyReviewPublic,
    closed_month_document,
    review_document,
)
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.desk import require_desk_manager, require_desk_reader
from capaflow.serving.fields import Short
from capaflow.targets.closing import close_month
from capaflow.targets.policy import review_policy
from capaflow.targets.review import monthly_review

router = APIRouter(prefix="/reviews", tags=["reviews"])

MonthPath = Annotated[Short, Path(description="YYYY-MM, now's month or earlier.")]


@router.get("/{month}", response_model=MonthlyReviewPublic)
def review_route(
    month: MonthPath, session: SessionDep, now: NowDep, ctx: ContextDep,
    principal: PrincipalDep,
    department: Annotated[Short | None, Query(description="One department's code.")] = None,
) -> MonthlyReviewPublic:
    """Each department's indicators against their targets with a 12-month trend, the actions
    open or late, incidents and the 5M1E Pareto of causes. Writes nothing."""
    require_desk_reader(principal)
    return review_document(monthly_review(
        session, month=month, department=department, now=now,
        review=review_policy(ctx.runtime.policies)))


@router.post("/{month}/close", response_model=ClosedMonthPublic)
def close_route(
    month: MonthPath, session: SessionDep, now: NowDep, ctx: ContextDep,
    principal: PrincipalDep,
) -> ClosedMonthPublic:
    """Close an ended month: keep its figures and open the PDCA cycle of each indicator that
    missed its target twice running. Again for the same month: nothing new."""
    require_desk_manager(principal)
    return closed_month_document(close_month(
        session, month=month, now=now, review=review_policy(ctx.runtime.policies),
        policy=ctx.deadline_policy))
