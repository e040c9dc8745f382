"""Signed links for a service desk's customers: the link into their portal (their own
requests and a form to open one), and the single-use link to the survey of one follow-up
(docs/architecture.md, "Service desk").

Both are signed with the site key as the supplier links are (accounts.links), each kind under
its own salt, so neither passes as the other nor as a supplier's link. The expiry is inside
the signed payload and checked against the `now` given, never the real clock.

A survey link names the follow-up (follow_ups.id), the customer and the moment it expires
(follow_ups.expires_at). It is deterministic: the same follow-up signed with the same key
gives the same token, so the dispatcher makes it again at send time and no copy of it is kept
anywhere; the follow-up keeps only its digest (token_digest), which binds the link to that one
follow-up as it was issued. A site that changes its key therefore ends every survey link still
out, as it ends every supplier link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlmodel import Session

from capaflow.accounts.links import LinkRefused, epoch, open_payload, sign_payload
from capaflow.accounts.secrets import site_secret
from capaflow.config import Settings
from capaflow.errors import BadInput
from capaflow.models import Customer, FollowUp

_PORTAL_SALT = "capaflow.customer-portal-link"
_SURVEY_SALT = "capaflow.customer-survey-link"
CUSTOMER_ENTRY = "/customer/enter"
SURVEY_PAGE = "/survey"


# -- the customer portal ----------------------------------------------------------------------

def customer_link(secret: str, *, customer_id: int, now: datetime, valid_for: timedelta) -> str:
    """A token that opens the portal of `customer_id` until `now + valid_for`."""
    if valid_for <= timedelta(0):
        raise BadInput("valid: must be a positive span", field="valid")
    return sign_payload(secret, _PORTAL_SALT, {"c": customer_id, "e": epoch(now + valid_for)})


def open_customer_link(secret: str, token: str, *, now: datetime) -> int:
    """The customer id a portal token opens; LinkRefused if tampered with or expired."""
    payload = open_payload(secret, _PORTAL_SALT, token, ("c", "e"))
    if epoch(now) >= payload["e"]:
        raise LinkRefused("expired")
    return payload["c"]


def customer_from_link(session: Session, secret: str, token: str, *, now: datetime) -> Customer:
    """The customer a portal link opens, if it still exists; LinkRefused otherwise."""
    customer = session.get(Customer, open_customer_link(secret, token, now=now))
    if customer is None:
        raise LinkRefused("customer gone")
    return customer


def customer_portal_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CUSTOMER_ENTRY}?t={quote(token, safe='')}"


# -- the survey -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SurveyClaim:
    """What a survey token says, once its signature is checked: which follow-up, whose, and
    until when. Whether that still holds is the service desk's to decide (servicedesk.survey)."""

    follow_up_id: int
    customer_id: int
    expires_at: datetime


def survey_token(secret: str, *, follow_up_id: int, customer_id: int,
                 expires_at: datetime) -> str:
    return sign_payload(secret, _SURVEY_SALT,
                        {"f": follow_up_id, "c": customer_id, "e": epoch(expires_at)})


def read_survey_token(secret: str, token: str) -> SurveyClaim:
    """The claim of a survey token; LinkRefused if tampered with or not a survey link. Not
    checked against the clock here: an expired link is answered differently (410) from a
    forged one (404), and only a signed one can be known to have expired."""
    payload = open_payload(secret, _SURVEY_SALT, token, ("f", "c", "e"))
    return SurveyClaim(follow_up_id=payload["f"], customer_id=payload["c"],
                       expires_at=datetime.fromtimestamp(payload["e"], UTC))


def token_digest(token: str) -> str:
    """What a follow-up keeps of its link (64 hex characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{SURVEY_PAGE}?t={quote(token, safe='')}"


# (follow-up, customer id) → the survey URL, or None when the follow-up no longer matches the
# link it was issued with (answered, voided, or the site's key changed).
SurveyLinkFor = Callable[[FollowUp, int], str | None]


def survey_link_maker(secret: str, *, base_url: str) -> SurveyLinkFor:
    def link_for(follow_up: FollowUp, customer_id: int) -> str | None:
        if follow_up.id is None or follow_up.expires_at is None or not follow_up.token_digest:
            return None
        token = survey_token(secret, follow_up_id=follow_up.id, customer_id=customer_id,
                             expires_at=follow_up.expires_at)
        if token_digest(token) != follow_up.token_digest:
            return None
        return survey_url(base_url, token)

    return link_for


def site_survey_link_maker(session: Session, *, settings: Settings,
                           now: datetime) -> SurveyLinkFor:
    """The survey link maker of this site: its key and `base_url`, as the web server resolves
    them (web.context), so the link a dispatcher sends is the one the server opens."""
    secret = site_secret(session, configured=settings.secret_key, now=now)
    return survey_link_maker(secret, base_url=settings.base_url)
