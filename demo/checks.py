"""Seeds the service quality checks (docs/architecture.md, "Service quality control"): a
work item whose mutual check failed and went back to rework, and last week's spot-check draw
over requests the field team closed, two of them reviewed against the field technician's
standard (the demo's inspections' copy of data/standards/field_service-technician.toml)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.demo.inspections import TECHNICIAN
from capaflow.models.db import session_scope
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import add_person, find_person
from capaflow.servicedesk.requests import advance_request, open_request
from capaflow.spotchecks.draw import draw_week
from capaflow.spotchecks.review import review_spot_check
from capaflow.spotchecks.weeks import previous_week, week_bounds
from capaflow.standards.importing import add_standard
from capaflow.workchecks.items import open_item, record_check

ACTOR = "desk"


def seed_checks(session: Session, *, now: datetime, policy: DeadlinePolicy,
                policies: Policies, desk: ServiceDesk) -> dict[str, int]:
    """After seed_service_desk (its customers and people): what was added."""
    h, d = timedelta(hours=1), timedelta(days=1)
    if find_person(session, "vic") is None:
        add_person(session, name="vic", team="office", skills="specialist", lead=False,
                   now=now - 7 * d)
    # A boiler installation: self check passed, the office's mutual check found a loose
    # valve, back to rework, self-checked again.
    item = open_item(session, policies=policies, policy=policy, title="Install boiler, Hotel Sun",
                     department="field_service", team="field", request_id=None, actor=ACTOR,
                     now=now - 2 * d)
    assert item.case.id is not None
    for at, level, result, by, note in (
        (now - 2 * d + 4 * h, "self", "pass", "ann", None),
        (now - d, "mutual", "fail", "olga", "Valve on the return line loose"),
        (now - d + 5 * h, "self", "pass", "ann", "Valve tightened and leak-tested"),
    ):
        record_check(session, policy=policy, case_id=item.case.id, level=level, result=result,
                     by=by, note=note, failed_items=None, actor=ACTOR, now=at)
    # Last week: the field team closed a few requests; the draw samples each person's.
    week = previous_week(now, policy.calendar.zone)
    start, _ = week_bounds(week, policy.calendar.zone)
    closed = 0
    for n, who in enumerate(("ann", "ann", "ann", "bob", "bob")):
        at = start + d * n + 9 * h
        request = open_request(session, desk=desk, policy=policy, customer="CORNER",
                               kind="request", severity="S3", category="repair",
                               channel="phone", title=f"Dryer {n + 1} not heating",
                               description=None, assignee=who, actor=ACTOR, now=at)
        case_id = request.request.case_id
        advance_request(session, desk=desk, policy=policy, case_id=case_id,
                        trigger="resolve", fields={"resolution": "Heater element replaced"},
                        note=None, actor=who, now=at + 2 * h)
        record_follow_up(session, desk=desk, policy=policy, case_id=case_id,
                         answer=Answer(solved=True, overall=4), channel="phone", by=ACTOR,
                         actor=ACTOR, now=at + 4 * h)
        closed += 1
    drawn = draw_week(session, policies=policies, policy=policy, week=week, seed=None,
                      actor=ACTOR, now=now - 2 * h)
    reviews = 0
    # The field technician's standard, as the demo's inspections use it (the same draft: no
    # new version when they already added it).
    imported = add_standard(session, policies=policies, draft=TECHNICIAN, actor=ACTOR,
                            now=now - 3 * h)
    codes = [i.code for i in imported.standard.items]
    for spot, failing in zip(drawn.spot_checks[:2], (None, codes[0]), strict=False):
        review_spot_check(
            session, policies=policies, policy=policy, case_id=spot.case_id,
            results={c: "fail" if c == failing else "pass" for c in codes},
            by="lea", note=None, now=now - h)
        reviews += 1
    return {"work_items": 1, "closed_requests": closed, "spotchecks": len(drawn.spot_checks),
            "reviews": reviews}


def checks_script(
    engine: Engine, *, policy: DeadlinePolicy, policies: Policies, desk: ServiceDesk,
    at: datetime,
) -> list[tuple[datetime, Callable[[], None]]]:
    """The simulated months' step for the checks: at `at` (a Monday, after the desk's month
    began), the work item with its rework and the draw of the week before with its reviews,
    as the seed adds them."""

    def run() -> None:
        with session_scope(engine) as session:
            seed_checks(session, now=at, policy=policy, policies=policies, desk=desk)

    return [(at, run)]
