"""The deployments `make run` serves, with their schedules from config (`[schedules]`).

Config is the one home of the schedules: these deployments read them from the policies in
force (a site's `--config`/CAPA_CONFIG included), and a test holds prefect.yaml, the deployments
of the larger set-up, to the same crons and entrypoints.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.types.entrypoint import EntrypointType

from capaflow.config.policies import SchedulesSection
from capaflow.flows.dispatch import dispatch_flow
from capaflow.flows.incident_drills import incident_drills_flow
from capaflow.flows.review import monthly_review_flow
from capaflow.flows.round_plan import round_plan_flow
from capaflow.flows.scorecard import scorecard_flow
from capaflow.flows.service_digest import service_digest_flow
from capaflow.flows.spotchecks import spotcheck_draw_flow
from capaflow.flows.sweep import sweep_flow
from capaflow.runtime import Runtime

# Deployment name (also its key in [schedules]) → the flow it runs.
FLOWS: dict[str, Flow[..., Any]] = {
    "sweep": sweep_flow,
    "dispatch": dispatch_flow,
    "scorecard": scorecard_flow,
    "service_digest": service_digest_flow,
    "round_plan": round_plan_flow,
    "incident_drills": incident_drills_flow,
    "monthly_review": monthly_review_flow,
    "spotcheck_draw": spotcheck_draw_flow,
}


def entrypoint(name: str) -> str:
    """The module entrypoint of a deployment's flow (`capaflow.flows.sweep:sweep_flow`): the
    installed package, not a file path, so a worker finds it from any working directory."""
    flow = FLOWS[name]
    return f"{flow.fn.__module__}:{flow.fn.__name__}"


def schedules(runtime: Runtime | None = None) -> SchedulesSection:
    """The cron schedules in force: `[schedules]` of the policies, typed."""
    return (runtime or Runtime()).policies.schedules


def _runner(deployment: object) -> RunnerDeployment:
    # to_deployment is "sync compatible": called from sync code it returns the deployment
    # itself, never the coroutine its signature also allows.
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def deployments() -> list[RunnerDeployment]:
    crons = schedules()
    return [
        _runner(flow.to_deployment(
            name=name, cron=getattr(crons, name), entrypoint_type=EntrypointType.MODULE_PATH,
        ))
        for name, flow in FLOWS.items()
    ]


def serve_all() -> None:
    """Serve every deployment from this process until interrupted (Ctrl-C)."""
    serve(*deployments())
