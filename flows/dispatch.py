"""Outbox dispatch as a Prefect flow (every minute by default, `[schedules] dispatch`)."""

from __future__ import annotations

from prefect import flow, get_run_logger
from sqlmodel import Session

from capaflow.accounts.customer_links import site_survey_link_maker
from capaflow.accounts.links import site_link_maker
from capaflow.flows.context import flow_context
from capaflow.notifications.dispatch import dispatch, dispatch_policy
from capaflow.notifications.notifier import AppriseNotifier
from capaflow.notifications.routing import load_routes


@flow(name="notice-dispatch")
def dispatch_flow() -> dict[str, int]:
    """Send the queued notices through Apprise; retry failures with backoff."""
    context = flow_context()
    policy = dispatch_policy(context.policies)
    # A routes file named in CAPA_ROUTES must exist: a typo there would otherwise fail every
    # internal notice. Only the default location may be absent.
    routes = load_routes(
        context.settings.routes, required="routes" in context.settings.model_fields_set
    )
    with Session(context.engine) as session:
        # Suppliers' copies carry a fresh link to their portal, signed with the site key.
        link_for = site_link_maker(session, settings=context.settings,
                                   policies=context.policies, now=context.now)
        # A customer's survey notice carries its follow-up's link, made again at send time.
        survey_link_for = site_survey_link_maker(session, settings=context.settings,
                                                 now=context.now)
        report = dispatch(
            session, now=context.now, notifier=AppriseNotifier(), routes=routes,
            max_attempts=policy.max_attempts, backoff_seconds=policy.backoff_seconds,
            batch_size=policy.batch_size, link_for=link_for, survey_link_for=survey_link_for,
            concurrency=policy.concurrency,
        )
    counts = {"sent": report.sent, "retried": report.retried, "failed": report.failed}
    get_run_logger().info("dispatched at %s: %s", context.now.isoformat(), counts)
    return counts
