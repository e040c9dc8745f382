"""The monthly service quality review as a Prefect flow (the 1st of each month, `[schedules]
monthly_review`): closes the month just ended (docs/architecture.md, "Service quality
control")."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from capaflow.flows.context import flow_context
from capaflow.models.db import session_scope
from capaflow.scorecards import months
from capaflow.targets.closing import close_month
from capaflow.targets.policy import review_policy


def monthly_review_close(month: str | None = None) -> dict[str, Any]:
    """What the flow does, callable without Prefect: close `month` (default: the month before
    now's) and sum up what it kept and opened."""
    context = flow_context()
    review = review_policy(context.typed)
    wanted = month or months.shift(months.month_of(context.now, review.zone), -1)
    with session_scope(context.engine) as session:
        closed = close_month(session, month=wanted, now=context.now, review=review,
                             policy=context.deadline_policy)
        return {"month": closed.month, "kept": closed.kept,
                "opened": [{"case": c.case_id, "department": c.department,
                            "indicator": c.indicator, "act_failed": c.act_failed}
                           for c in closed.opened]}


@flow(name="monthly-review")
def monthly_review_flow(month: str | None = None) -> dict[str, Any]:
    """Close the review of `month` (default: the month before now's): keep its figures and
    open the PDCA cycles of the indicators that missed twice running."""
    summary = monthly_review_close(month)
    get_run_logger().info("review %s closed: %s", summary["month"], summary)
    return summary
