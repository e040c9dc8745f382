"""The deployments `make run` serves, with their schedules from config (`[schedules]`)."""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from capaflow.config import Settings, load_policies
from capaflow.flows.dispatch import dispatch_flow
from capaflow.flows.scorecard import scorecard_flow
from capaflow.flows.sweep import sweep_flow

DEFAULT_SCHEDULES = {
    "sweep": "*/5 * * * *", "dispatch": "* * * * *", "scorecard": "0 6 1 * *",
}


def _runner(deployment: object) -> RunnerDeployment:
    # to_deployment is "sync compatible": called from sync code it returns the deployment
    # itself, never the coroutine its signature also allows.
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def deployments() -> list[RunnerDeployment]:
    schedules = {**DEFAULT_SCHEDULES, **load_policies(Settings().config).get("schedules", {})}
    return [
        _runner(sweep_flow.to_deployment(name="sweep", cron=schedules["sweep"])),
        _runner(dispatch_flow.to_deployment(name="dispatch", cron=schedules["dispatch"])),
        _runner(scorecard_flow.to_deployment(name="scorecard", cron=schedules["scorecard"])),
    ]


def serve_all() -> None:
    """Serve every deployment from this process until interrupted (Ctrl-C)."""
    serve(*deployments())
