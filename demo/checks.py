"""Seeds the service quality checks (docs/architecture.md, "Service quality control"): a
work item whose mutual check failed and went back to rework, and last week's spot-check draw
over requests the field team closed, with a review when the field technician's standard is
imported (data/standards/field_service-technician.toml beside the code, if present)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import CapaError
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import add_person, find_person
from capaflow.servicedesk.requests import advance_request, open_request
from capaflow.spotchecks.draw import draw_week
from capaflow.spotchecks.review import review_spot_check
from capaflow.spotchecks.weeks import previous_week, week_bounds
from capaflow.standards.importing import import_standard
from capaflow.workchecks.items import open_item, record_check

ACTOR = "desk"
STANDARD = Path(__file__).resolve().parents[1] / "data" / "standards" / \
    "field_service-technician.toml"


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
    if STANDARD.exists():
        try:
            imported = import_standard(session, policies=policies, path=STANDARD, actor=ACTOR,
                                       now=now - 3 * h)
        except CapaError:
            imported = None
        if imported is not None:
            codes = [i.code for i in imported.standard.items]
            for spot, failing in zip(drawn.spot_checks[:2], (None, codes[0]), strict=False):
                review_spot_check(
                    session, policies=policies, policy=policy, case_id=spot.case_id,
                    results={c: "fail" if c == failing else "pass" for c in codes},
                    by="lea", note=None, now=now - h)
                reviews += 1
    return {"work_items": 1, "closed_requests": closed, "spotchecks": len(drawn.spot_checks),
            "reviews": reviews}
