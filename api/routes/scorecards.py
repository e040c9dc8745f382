"""/scorecards: stored monthly grades with their escalations (a supplier sees its own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.context import ContextDep, NowDep, PrincipalDep, SessionDep
from api.schemas import Short
from api.scope import supplier_filter
from cli.scorecards import graded_json
from scorecards.history import list_scorecards
from scorecards.policy import load_scorecard_policy

router = APIRouter(prefix="/scorecards", tags=["scorecards"])


@router.get("")
def list_route(
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: PrincipalDep,
    supplier: Annotated[Short | None, Query(description="Supplier code.")] = None,
    months: Annotated[int, Query(ge=1, le=1200)] = 12,
) -> list[dict[str, Any]]:
    """Grades of the last months up to now's, by supplier, oldest first."""
    policy = load_scorecard_policy(ctx.policies, ctx.deadline_policy.calendar)
    graded = list_scorecards(session, code=supplier_filter(principal, supplier), count=months,
                             now=now, policy=policy)
    return [graded_json(g) for g in graded]
