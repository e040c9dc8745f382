"""What every flow needs before it calls its plain function: settings, policies, the clock.

Flows are thin (docs/architecture.md, "Prefect and Apprise at the edges"): they resolve this and
call a function that takes a session
or an engine and a `now`. The clock is read through calendars.resolve_now, so CAPA_NOW set on
a worker runs its flows at that time, as the CLI's --now does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from capaflow.calendars import resolve_now
from capaflow.config import Settings, load_policies
from capaflow.deadlines.policy import DeadlinePolicy, load_policy
from capaflow.models.db import get_engine


@dataclass(frozen=True)
class FlowContext:
    settings: Settings
    policies: dict[str, Any]
    deadline_policy: DeadlinePolicy
    engine: Engine
    now: datetime


def flow_context() -> FlowContext:
    settings = Settings()
    policies = load_policies(settings.config)
    return FlowContext(
        settings=settings,
        policies=policies,
        deadline_policy=load_policy(policies),
        engine=get_engine(settings.database_url),
        now=resolve_now(settings.now),
    )
