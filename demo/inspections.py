"""A month of quality inspections in the demo (docs/architecture.md, "Service quality
control"): the field service technician's standard, February's two planned rounds, a failed
item closed, and the same item failing again two weeks later — the earlier fix did not hold,
so a PDCA cycle opens — beside a second finding the sweep chases when its fix runs late."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import InspectionFinding, InspectionRound
from capaflow.models.db import session_scope
from capaflow.standards.catalogue import Item
from capaflow.standards.findings import close_finding
from capaflow.standards.importing import Draft, add_standard
from capaflow.standards.rounds import Result, plan_month, record_round

INSPECTOR = "quality_inspector"
D = timedelta(days=1)
H = timedelta(hours=1)

# The shape of data/standards/field_service-technician.toml, shortened.
TECHNICIAN = Draft(
    department="field_service", position="technician", title="Field service visit",
    items=(
        Item("FS-01", "Announces the visit and arrives within the agreed window", 2.0,
             "methods", False),
        Item("FS-02", "Wears the uniform and badge and introduces themself by name", 1.0,
             "people", False),
        Item("FS-03", "Isolates the power and locks out the unit before opening it", 3.0,
             "environment", True),
        Item("FS-04", "Uses a calibrated meter for every electrical measurement", 2.0,
             "measurement", False),
        Item("FS-05", "Leaves the site clean and has the customer sign the job sheet", 1.0,
             "methods", False),
    ),
)


def inspection_script(
    engine: Engine, *, policy: DeadlinePolicy, policies: Policies, start: datetime,
) -> list[tuple[datetime, Callable[[], None]]]:
    """The month's steps from `start` (after the desk's people, whose field lead owns the
    findings, were added), for the demo's month loop."""

    def setup() -> None:
        with session_scope(engine) as session:
            add_standard(session, policies=policies, draft=TECHNICIAN, actor=INSPECTOR,
                         now=start)
            plan_month(session, policies=policies, policy=policy,
                       month=f"{start.year:04d}-{start.month:02d}", actor=INSPECTOR, now=start)

    def record(at: datetime, slot: int, failed: dict[str, str]) -> Callable[[], None]:
        def run() -> None:
            with session_scope(engine) as session:
                round_id = session.exec(
                    select(InspectionRound.case_id)
                    .where(InspectionRound.department == "field_service")
                    .order_by(col(InspectionRound.due_at))).all()[slot]
                results = {i.code: Result(passed=i.code not in failed,
                                          note=failed.get(i.code)) for i in TECHNICIAN.items}
                record_round(session, policies=policies, policy=policy, round_id=round_id,
                             results=results, owners={}, actor=INSPECTOR, now=at)
        return run

    def fix_first(at: datetime) -> None:
        with session_scope(engine) as session:
            first = session.exec(select(InspectionFinding.case_id)
                                 .order_by(col(InspectionFinding.found_at))).first()
            assert first is not None
            close_finding(session, policy=policy, finding_id=first,
                          action="Badges reissued, team briefed", actor="lea", now=at)

    first, second, fixed = start + 2 * D + H, start + 16 * D + H, start + 5 * D
    return [
        (start, setup),
        (first, record(first, 0, {"FS-02": "No badge, did not introduce himself"})),
        (fixed, lambda: fix_first(fixed)),
        (second, record(second, 1, {"FS-02": "No badge again",
                                    "FS-04": "Meter calibration label expired"})),
    ]
