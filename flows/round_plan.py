"""The month's planned quality inspection rounds as a Prefect flow (the first of each month,
`[schedules] round_plan`); docs/architecture.md, "Service quality control"."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from capaflow.flows.context import flow_context
from capaflow.models.db import session_scope
from capaflow.scorecards.months import month_of
from capaflow.standards.rounds import plan_month


def plan_rounds(month: str | None = None) -> dict[str, Any]:
    """What the flow does, callable without Prefect: open `month`'s rounds (default: now's
    month) from `[standards.rounds]`, once; a second run opens nothing."""
    context = flow_context()
    wanted = month or month_of(context.now, context.deadline_policy.calendar.zone)
    with session_scope(context.engine) as session:
        plan = plan_month(session, policies=context.typed, policy=context.deadline_policy,
                          month=wanted, actor=context.typed.sweep.actor, now=context.now)
        return {"month": plan.month, "opened": [r.case_id for r in plan.opened],
                "existing": len(plan.existing)}


@flow(name="round-plan")
def round_plan_flow(month: str | None = None) -> dict[str, Any]:
    """Open the month's planned quality inspection rounds (default: the current month)."""
    summary = plan_rounds(month)
    get_run_logger().info("round plan %s: %s", summary["month"], summary)
    return summary
