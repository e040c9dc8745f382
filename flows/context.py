"""What every flow needs before it calls its plain function: settings, policies, the clock.

Flows are thin (docs/architecture.md, "Prefect and Apprise at the edges"): they resolve this
through the composition root (capaflow.runtime) and call a function that takes a session or an
engine and a `now`. The clock is read through calendars.resolve_now, so CAPA_NOW set on a
worker runs its flows at that time, as the CLI's --now does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from capaflow.config import Settings
from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.runtime import Runtime


@dataclass(frozen=True)
class FlowContext:
    settings: Settings
    policies: dict[str, Any]
    deadline_policy: DeadlinePolicy
    engine: Engine
    now: datetime
    # The same policies, typed (config.policies).
    typed: Policies


def flow_context() -> FlowContext:
    # The schema is not checked here: a flow's first query says what is wrong with its
    # database, as it always has, and a worker is not a command line to say it on.
    runtime = Runtime().start(check_schema=False)
    return FlowContext(
        settings=runtime.settings,
        policies=runtime.document,
        deadline_policy=runtime.deadline_policy,
        engine=runtime.engine(check_schema=False),
        now=runtime.now,
        typed=runtime.policies,
    )
