"""/scorecards: stored monthly grades with their escalations (a supplier sees its own), and
grading a month (the quality team's writers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from capaflow.accounts.scope import supplier_filter
from capaflow.api.schemas import ScorecardRun
from capaflow.documents.scorecards import (
    GradedMonthPublic,
    ScorecardRunPublic,
    graded_month_document,
    scorecard_run_document,
)
from capaflow.scorecards.grading import run_month
from capaflow.scorecards.history import list_scorecards
from capaflow.scorecards.policy import load_scorecard_policy
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep, WriterDep
from capaflow.serving.fields import Short

router = APIRouter(prefix="/scorecards", tags=["scorecards"])


@router.get("", response_model=list[GradedMonthPublic])
def list_route(
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    supplier: Annotated[Short | None, Query(description="Supplier code.")] = None,
    months: Annotated[int, Query(ge=1, le=1200)] = 12,
) -> list[GradedMonthPublic]:
    """Grades of the last months up to now's, by supplier, oldest first."""
    policy = load_scorecard_policy(ctx.policies, ctx.deadline_policy.calendar)
    graded = list_scorecards(session, code=supplier_filter(principal, supplier), count=months,
                             now=now, policy=policy)
    return [graded_month_document(g) for g in graded]


@router.post("/runs", response_model=ScorecardRunPublic)
def run_route(
    body: ScorecardRun, session: SessionDep, now: NowDep, ctx: ContextDep, writer: WriterDep
) -> ScorecardRunPublic:
    """Grade every supplier for a month and take the escalations the grades call for (as
    `capa scorecard run --by`: the user who starts the run is on record for what it does)."""
    policy = load_scorecard_policy(ctx.policies, ctx.deadline_policy.calendar)
    results = run_month(session, month=body.month, now=now, policy=policy, actor=writer.actor)
    return scorecard_run_document(body.month, results)
