"""/spotchecks: the weekly draw of closed service requests and their reviews, through
spotchecks as `capa spotcheck ...`, answering the CLI's documents (documents.spotchecks).

Drawing a week is the service or quality manager's; a review, any role that serves at the
desk (the reviewer is often a team lead); the other staff roles read; a supplier sees none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from capaflow.documents.spotchecks import (
    DrawPublic,
    SpotCheckPublic,
    draw_document,
    view_document,
)
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.desk import require_desk_manager, require_desk_reader, require_server
from capaflow.serving.fields import MAX_ID, Body, Short, Text
from capaflow.spotchecks.draw import MAX_SEED, draw_week, week_sample, with_states
from capaflow.spotchecks.review import review_spot_check

router = APIRouter(prefix="/spotchecks", tags=["service quality control"])

SpotCheckId = Annotated[int, Path(ge=1, le=MAX_ID, description="Spot-check number.")]


class NewDraw(Body):
    week: Short  # ISO week, 2026-W49
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = None


class NewReview(Body):
    by: Short
    # Item code → "pass" or "fail", every item of the standard.
    results: dict[Short, Short]
    note: Text | None = None


@router.get("")
def list_route(session: SessionDep, principal: PrincipalDep,
               week: Annotated[Short, Query(description="ISO week, e.g. 2026-W49.")],
               ) -> DrawPublic:
    """A drawn week's sample and where each spot-check stands."""
    require_desk_reader(principal)
    draw, rows = week_sample(session, week)
    return draw_document(draw, rows, True)


@router.post("/draw")
def draw_route(body: NewDraw, session: SessionDep, now: NowDep, ctx: ContextDep,
               principal: PrincipalDep) -> DrawPublic:
    """Draw a week; the same week again answers the same sample (`already_drawn`)."""
    require_desk_manager(principal)
    result = draw_week(session, policies=ctx.runtime.policies, policy=ctx.deadline_policy,
                       week=body.week, seed=body.seed, actor=principal.actor, now=now)
    return draw_document(result.draw, with_states(session, result.spot_checks),
                         result.already_drawn)


@router.post("/{spotcheck_id}/review")
def review_route(spotcheck_id: SpotCheckId, body: NewReview, session: SessionDep, now: NowDep,
                 ctx: ContextDep, principal: PrincipalDep) -> SpotCheckPublic:
    """Score a drawn request against its standard; a failed item owes the person training."""
    require_server(principal)
    return view_document(review_spot_check(
        session, policies=ctx.runtime.policies, policy=ctx.deadline_policy,
        case_id=spotcheck_id, results=body.results, by=body.by.strip(), note=body.note,
        now=now))
