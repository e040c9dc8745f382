"""The weekly service digest to management as a Prefect flow (Mondays, `[schedules]`)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from capaflow.flows.context import flow_context
from capaflow.models.db import session_scope
from capaflow.servicedesk.digest import previous_week, weekly_digest


def weekly_service_digest(week: str | None = None) -> dict[str, Any]:
    """What the flow does, callable without Prefect: queue `week`'s digest and sum it up."""
    context = flow_context()
    zone = context.deadline_policy.calendar.zone
    # Run on Monday morning, "the week before" is the week that has just ended.
    wanted = week or previous_week(context.now, zone)
    with session_scope(context.engine) as session:
        digest = weekly_digest(session, week=wanted, now=context.now, zone=zone)
    return {
        "week": digest.week,
        "queued": digest.queued,
        "notice": digest.notice,
        "complaints": len(digest.complaints),
        "claims": len(digest.claims),
        "still_open": digest.still_open_total,
        "breaches": digest.breaches_total,
    }


@flow(name="service-digest")
def service_digest_flow(week: str | None = None) -> dict[str, Any]:
    """Queue the weekly digest to management (default: the week before now's)."""
    summary = weekly_service_digest(week)
    get_run_logger().info("service digest %s: %s", summary["week"], summary)
    return summary
