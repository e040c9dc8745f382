"""The demo's incidents (docs/architecture.md, "Service quality control"): in mid-February a
power outage at a customer site is declared under its contingency plan, one step is done
late (the sweep escalates it on the incidents' minute ladder), it is closed and reviewed,
and the review opens a PDCA cycle; a week later the data-breach plan is drilled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.incidents import response
from capaflow.incidents.plans import Plans
from capaflow.models.db import session_scope

M = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)


def incident_script(engine: Engine, *, policy: DeadlinePolicy, plans: Plans,
                    start: datetime) -> list[tuple[datetime, Callable[[], None]]]:
    """One incident from declaration to review, and one drill, from `start` on (a moment
    after the 8D script's numbered cases opened)."""
    ids: dict[str, int] = {}

    def declare(at: datetime, key: str, type: str, severity: str, title: str,
                drill: bool) -> None:
        with session_scope(engine) as session:
            view = response.declare(session, plans=plans, departments=(), policy=policy,
                                    type=type, severity=severity, title=title,
                                    department=None, drill=drill, actor="dan", now=at)
            ids[key] = view.incident.case_id

    def step(at: datetime, key: str, number: int, note: str) -> None:
        with session_scope(engine) as session:
            response.step_done(session, policy=policy, case_id=ids[key], number=number,
                               note=note, actor="lea", now=at)

    def close(at: datetime, key: str, summary: str) -> None:
        with session_scope(engine) as session:
            response.close(session, plans=plans, policy=policy, case_id=ids[key],
                           summary=summary, actor="dan", now=at)

    def review(at: datetime, key: str) -> None:
        with session_scope(engine) as session:
            response.review(session, policy=policy, case_id=ids[key],
                            cause="The standby generator's fuel was not checked monthly",
                            factor="methods", open_action="pdca", actor="dan", now=at)

    night = start + 14 * H  # 22:00
    drill = start + 7 * D
    return [
        (night, lambda: declare(night, "outage", "power_outage", "S2",
                                "Hotel Sun: power out in the laundry wing", False)),
        (night + 10 * M, lambda: step(night + 10 * M, "outage", 1, "Duty manager called")),
        (night + 75 * M, lambda: step(night + 75 * M, "outage", 2,
                                      "Generator running, 15 minutes late")),
        (night + 90 * M, lambda: step(night + 90 * M, "outage", 3, "Customers told")),
        (night + 3 * H, lambda: close(night + 3 * H, "outage", "Mains back at 01:00")),
        (night + 2 * D, lambda: review(night + 2 * D, "outage")),
        (drill, lambda: declare(drill, "drill", "data_breach", "S2",
                                "Tabletop: a leaked customer list", True)),
        (drill + 20 * M, lambda: step(drill + 20 * M, "drill", 1, "Access revoked")),
        (drill + 2 * H, lambda: step(drill + 2 * H, "drill", 2, "Exposure assessed")),
        (drill + 3 * H, lambda: step(drill + 3 * H, "drill", 3, "Letters drafted")),
        (drill + 4 * H, lambda: close(drill + 4 * H, "drill", "Drill completed")),
    ]
