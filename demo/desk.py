"""Seeds the service desk: customers of each tier, two teams, and requests whose history is
simulated backwards from `now` through the service layer, so the queue shows clocks running,
on hold, breached and a flagged dispatch."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import add_customer, add_person, mark_absent
from capaflow.servicedesk.requests import advance_request, open_request

DESK_ACTOR = "desk"


def seed_service_desk(
    session: Session, *, now: datetime, policy: DeadlinePolicy, desk: ServiceDesk
) -> int:
    """Add the demo customers, people and requests; how many requests."""
    now = now.replace(second=0, microsecond=0)
    h, d = timedelta(hours=1), timedelta(days=1)
    start = now - 6 * d
    for code, name, tier in (("HOTEL-SUN", "Hotel Sun", "key"),
                             ("CORNER", "Corner Laundry", "standard"),
                             ("KIOSK", "Station Kiosk", "basic")):
        add_customer(session, desk=desk, code=code, name=name, tier=tier,
                     contact=f"json://127.0.0.1:8765/customer/{code.lower()}", now=start)
    for name, team, skills, lead in (("ann", "field", "repair,installation", False),
                                     ("bob", "field", "repair", False),
                                     ("lea", "field", None, True),
                                     ("olga", "office", None, False),
                                     ("dan", "desk", None, True)):
        add_person(session, name=name, team=team, skills=skills, lead=lead, now=start)
    mark_absent(session, name="olga", starts_at=now - 2 * d, ends_at=now + 3 * d, now=start)

    def opened(at: datetime, customer: str, kind: str, severity: str, category: str,
               title: str) -> int:
        return open_request(session, desk=desk, policy=policy, customer=customer, kind=kind,
                            severity=severity, category=category, channel="phone",
                            title=title, description=None, assignee=None, actor=DESK_ACTOR,
                            now=at).request.case_id

    def step(at: datetime, request: int, trigger: str, **fields: str) -> None:
        advance_request(session, desk=desk, policy=policy, case_id=request, trigger=trigger,
                        fields=fields, note=None, actor="ann", now=at)

    # Resolved and praised.
    laundry = opened(start, "HOTEL-SUN", "complaint", "S1", "repair",
                     "Laundry line down, 200 rooms waiting")
    step(start + 20 * timedelta(minutes=1), laundry, "acknowledge",
         response="Technician on the way")
    step(start + 3 * h, laundry, "resolve", resolution="Drive belt replaced")
    record_follow_up(session, desk=desk, policy=policy, case_id=laundry,
                     answer=Answer(solved=True, overall=5, nps=10), channel="phone",
                     by="ann", actor="ann", now=start + d)
    # On hold, waiting for the customer.
    dryer = opened(now - 2 * d, "CORNER", "request", "S3", "installation",
                   "Install a second dryer")
    step(now - 2 * d + h, dryer, "acknowledge", response="Which voltage is on site?")
    step(now - 2 * d + 2 * h, dryer, "hold", reason="Waiting for the site's voltage")
    # Nobody has answered: the first response is breached.
    opened(now - d, "KIOSK", "inquiry", "S3", "general", "When does the winter tariff start?")
    # Olga is away and billing has no lead: not dispatched, flagged.
    opened(now - 3 * h, "CORNER", "complaint", "S2", "billing", "Invoice 4471 charged twice")
    # A claim, raised to S2, management told.
    claim = opened(now - 2 * h, "HOTEL-SUN", "claim", "S3", "repair",
                   "Linen damaged by the repaired machine")
    step(now - h, claim, "acknowledge", response="Manager calling back today")
    return 5
