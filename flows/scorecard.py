"""The monthly supplier grades as a Prefect flow (the 1st of each month, `[schedules]`)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from capaflow.flows.context import flow_context
from capaflow.scorecards import months
from capaflow.scorecards.grading import grade_month
from capaflow.scorecards.policy import load_scorecard_policy


def monthly_scorecard(month: str | None = None) -> dict[str, Any]:
    """What the flow does, callable without Prefect: grade `month` and sum up the run."""
    context = flow_context()
    policy = load_scorecard_policy(context.policies, context.deadline_policy.calendar,
                                   deadlines=context.deadline_policy)
    # Run on the 1st, "the month before" is the month that has just ended.
    wanted = month or months.shift(months.month_of(context.now, policy.calendar.zone), -1)
    results = grade_month(context.engine, month=wanted, now=context.now, policy=policy,
                          actor=policy.actor)
    grades: dict[str, int] = {}
    for result in results:
        if result.grade is not None:
            grades[result.grade] = grades.get(result.grade, 0) + 1
    return {
        "month": wanted,
        "graded": len(results),
        "grades": dict(sorted(grades.items())),
        # Suppliers with nothing to grade this month (counted in "graded", not in "grades").
        "not_graded": sum(1 for r in results if r.grade is None),
        "escalations": {
            r.code: [f.rule for f in r.escalations] for r in results if r.escalations
        },
    }


@flow(name="supplier-scorecard")
def scorecard_flow(month: str | None = None) -> dict[str, Any]:
    """Grade every supplier for `month` (default: the month before now's) and escalate."""
    summary = monthly_scorecard(month)
    get_run_logger().info("graded %s: %s", summary["month"], summary)
    return summary
