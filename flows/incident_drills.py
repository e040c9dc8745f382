"""The drill reminders as a Prefect flow (daily, `[schedules] incident_drills`): each plan
whose drill is due is reminded once per period (incidents.drills)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from capaflow.flows.context import flow_context
from capaflow.incidents.drills import remind_due_drills
from capaflow.incidents.plans import load_plans
from capaflow.models.db import session_scope


def remind_drills() -> dict[str, Any]:
    """What the flow does, callable without Prefect: remind the drills due now."""
    context = flow_context()
    plans = load_plans(context.typed)
    with session_scope(context.engine) as session:
        reminded = remind_due_drills(session, plans=plans, now=context.now)
    return {"reminded": sorted(c.plan.code for c in reminded)}


@flow(name="incident-drills")
def incident_drills_flow() -> dict[str, Any]:
    """Remind every contingency plan whose drill is due (once per period)."""
    summary = remind_drills()
    get_run_logger().info("drills reminded: %s", summary["reminded"])
    return summary
