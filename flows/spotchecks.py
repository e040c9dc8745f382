"""The weekly spot-check draw as a Prefect flow (docs/architecture.md, "Service quality
control"): a thin wrapper over spotchecks.draw.draw_week, as `capa spotcheck draw` is."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from capaflow.flows.context import flow_context
from capaflow.models.db import session_scope
from capaflow.spotchecks.draw import draw_week
from capaflow.spotchecks.weeks import previous_week

ACTOR = "spotcheck-flow"


def weekly_spotcheck_draw(week: str | None = None, seed: int | None = None) -> dict[str, Any]:
    """What the flow does, callable without Prefect: draw `week` (default: the week that has
    just ended) and sum it up. Drawing a drawn week again writes nothing."""
    context = flow_context()
    wanted = week or previous_week(context.now, context.deadline_policy.calendar.zone)
    with session_scope(context.engine) as session:
        result = draw_week(session, policies=context.typed, policy=context.deadline_policy,
                           week=wanted, seed=seed, actor=ACTOR, now=context.now)
        return {"week": result.draw.week, "seed": result.draw.seed,
                "closed_requests": result.draw.closed_requests, "drawn": result.draw.drawn,
                "already_drawn": result.already_drawn}


@flow(name="spotcheck-draw")
def spotcheck_draw_flow(week: str | None = None, seed: int | None = None) -> dict[str, Any]:
    """Draw the week's spot-checks of closed service requests (default: last week)."""
    summary = weekly_spotcheck_draw(week, seed)
    get_run_logger().info("spot-check draw %s: %s", summary["week"], summary)
    return summary
