"""The follow-up survey's link: issued with the follow-up, opened by the customer's page
(docs/architecture.md, "Service desk").

When a resolved request is drawn for follow-up and its customer has a contact address, the
follow-up gets a signed link (accounts.customer_links) and a notice to the customer is queued
in the same transaction. The notice names the follow-up, not the link: the dispatcher makes
the link again at send time, so the link is written nowhere but in the customer's message,
and the follow-up keeps only its digest.

Opening a link decides what the customer's page answers, each refusal before anything is
written: not ours, altered, unknown, or another customer's follow-up → NotFound (the same
answer for each, as telling them apart would help a forger); answered already → Conflict;
past its expiry or no longer open (the desk closed, cancelled or reopened the request first)
→ SurveyClosed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from capaflow.accounts.customer_links import read_survey_token, survey_token, token_digest
from capaflow.accounts.links import LinkRefused
from capaflow.accounts.secrets import site_secret
from capaflow.calendars import isoformat, readable
from capaflow.errors import Conflict, NotFound
from capaflow.models import Case, Customer, FollowUp, Notification, ServiceRequest
from capaflow.models.db import build, insert_rows
from capaflow.notifications.routing import CUSTOMER
from capaflow.servicedesk.policy import ServiceDesk

SURVEY_NOTICE = "survey"
# The field a refusal names: the link's token, `t` in the page's address.
LINK_FIELD = "t"
_NOT_VALID = "this survey link is not valid; ask the service desk for a new one"


class SurveyClosed(Exception):
    """The link was genuine, but its survey can no longer be answered (expired or closed):
    the page answers 410 Gone."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Survey:
    """An open survey, as its link opened it."""

    follow_up: FollowUp
    case: Case
    request: ServiceRequest
    customer: Customer


def issue_survey(
    session: Session, *, desk: ServiceDesk, case: Case, customer: Customer,
    follow_up: FollowUp, now: datetime,
) -> Notification:
    """Sign the follow-up's link, keep its digest, and queue the customer's notice."""
    assert case.id is not None and follow_up.id is not None and customer.id is not None
    assert follow_up.expires_at is not None
    secret = site_secret(session, configured=desk.signing_key, now=now)
    token = survey_token(secret, follow_up_id=follow_up.id, customer_id=customer.id,
                         expires_at=follow_up.expires_at)
    follow_up.token_digest = token_digest(token)
    session.add(follow_up)
    lines = [
        f"Dear {customer.name},",
        f"your service request #{case.id} \"{case.title}\" was resolved on "
        f"{readable(now)}.",
        "Please tell us how we did: one page, about a minute, on your phone or computer.",
        "If it is not solved, say so on the page and we reopen it at once.",
        f"The link can be used once, until {readable(follow_up.expires_at)}.",
    ]
    notice = build(
        Notification, dedupe_key=f"service:{case.id}:survey:{follow_up.id}", case_id=case.id,
        kind=SURVEY_NOTICE, audience=[CUSTOMER],
        subject=f"How did we do? Your request #{case.id}: {case.title}"[:300],
        body="\n".join(lines), extra={"follow_up_id": follow_up.id},
        created_at=now, next_attempt_at=now,
    )
    insert_rows(session, [notice])
    session.flush()
    return notice


def open_survey(session: Session, *, secret: str, token: str, now: datetime) -> Survey:
    """The survey a link opens, if it can be answered at `now`; a refusal otherwise (see the
    module docstring). Reads only."""
    try:
        claim = read_survey_token(secret, token)
    except LinkRefused as exc:
        raise NotFound(_NOT_VALID, field=LINK_FIELD) from exc
    follow_up = session.get(FollowUp, claim.follow_up_id)
    request = session.get(ServiceRequest, follow_up.case_id) if follow_up else None
    if (
        follow_up is None or request is None or not follow_up.token_digest
        or not hmac.compare_digest(follow_up.token_digest, token_digest(token))
        or request.customer_id != claim.customer_id
    ):
        raise NotFound(_NOT_VALID, field=LINK_FIELD)
    case = session.get(Case, follow_up.case_id)
    customer = session.get(Customer, request.customer_id)
    if case is None or customer is None:
        raise NotFound(_NOT_VALID, field=LINK_FIELD)
    if follow_up.status == "answered":
        when = f" on {readable(follow_up.answered_at)}" if follow_up.answered_at else ""
        raise Conflict(f"this survey was already answered{when}; thank you", field=LINK_FIELD)
    expires = follow_up.expires_at or claim.expires_at
    if now >= expires or now >= claim.expires_at:
        raise SurveyClosed(f"this survey link expired on {readable(expires)} "
                           f"({isoformat(expires)}); the service desk can still be reached "
                           "as usual")
    if follow_up.status != "sent" or case.state != "follow_up":
        raise SurveyClosed("this survey is closed: the service desk has taken the request "
                           "further since it was sent")
    return Survey(follow_up=follow_up, case=case, request=request, customer=customer)
