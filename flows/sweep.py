"""The deadline sweep as a Prefect flow (every 5 minutes by default, `[schedules] sweep`)."""

from __future__ import annotations

from prefect import flow, get_run_logger

from capaflow.casework.sweep import sweep, sweep_settings
from capaflow.flows.context import flow_context


@flow(name="deadline-sweep")
def sweep_flow(batch_size: int | None = None) -> dict[str, int]:
    """Act on every deadline that is due now: remind, escalate, review, close."""
    context = flow_context()
    settings = sweep_settings(context.policies)
    report = sweep(
        context.engine, now=context.now, policy=context.deadline_policy,
        batch_size=batch_size or settings.batch_size, actor=settings.actor,
    )
    counts = {
        "reminders": report.reminders,
        "escalations": report.escalations,
        "reviews": report.reviews,
        "closures": report.closures,
    }
    get_run_logger().info("swept at %s: %s", context.now.isoformat(), counts)
    return counts
