"""Who a page request is for: the principal in its signed session cookie.

The cookie (Starlette's SessionMiddleware, signed with the site key, HTTP-only) holds the
user's id or, for someone who came through a supplier's link, the supplier's id, and when
they signed in. Each request checks that against `now` and the database, so disabling a
user, or the session growing older than `[web] session_valid`, signs them out at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.tokens import SUPPLIER, user_principal
from capaflow.calendars import as_utc, isoformat, parse_instant
from capaflow.models import Customer, Supplier, User
from capaflow.serving.context import NowDep, SessionDep
from capaflow.serving.errors import Refused
from capaflow.submissions.queue import waiting_for_review
from capaflow.web.context import WebDep


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class StaffOnly(Exception):
    """A supplier on a quality-team page: sent to its portal instead."""


class SuppliersOnly(Exception):
    """A member of the quality team on a supplier's page: sent to the dashboard instead."""


def start_session(request: Request, *, now: datetime, user: User | None = None,
                  supplier_id: int | None = None) -> None:
    """A fresh session (a new CSRF token too), so nothing from before signing in survives:
    an attacker who planted a session id or token before learns nothing after."""
    request.session.clear()
    if user is not None:
        request.session["user_id"] = user.id
        request.session["generation"] = user.session_generation
    if supplier_id is not None:
        request.session["supplier_id"] = supplier_id
    request.session["signed_in_at"] = isoformat(now)


def end_session(request: Request, session: Session) -> None:
    """Sign out: this cookie, and every copy of it or other session of the same account,
    stops working (the account's session generation moves on)."""
    user_id = request.session.get("user_id")
    if isinstance(user_id, int):
        user = session.get(User, user_id)
        if user is not None and user.session_generation == request.session.get("generation"):
            user.session_generation += 1
            session.add(user)
    request.session.clear()


def _signed_in_at(data: dict[str, Any]) -> datetime | None:
    try:
        return as_utc(parse_instant(str(data.get("signed_in_at", ""))))
    except ValueError:
        return None


def session_principal(
    request: Request, session: Session, *, now: datetime, valid_for: Any
) -> Principal | None:
    data = request.session
    if "user_id" not in data and "supplier_id" not in data:
        return None
    started = _signed_in_at(data)
    if started is None or now - started > valid_for or started > now + valid_for:
        data.clear()
        return None
    user_id, supplier_id = data.get("user_id"), data.get("supplier_id")
    if isinstance(user_id, int):
        user = session.get(User, user_id)
        if (
            user is None or user.disabled_at is not None
            or data.get("generation") != user.session_generation
        ):
            data.clear()
            return None
        return user_principal(session, user)
    if isinstance(supplier_id, int):
        supplier = session.get(Supplier, supplier_id)
        if supplier is None:
            data.clear()
            return None
        # Came through the supplier's link: it acts as the supplier, as its notices address it.
        return Principal(name=f"link:{supplier.code}", role=SUPPLIER,
                         supplier_id=supplier.id, supplier_code=supplier.code)
    data.clear()
    return None


def _wanted(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.url.path}{query}"


def get_viewer(request: Request, session: SessionDep, now: NowDep, web: WebDep) -> Principal:
    """Anyone signed in: a member of the quality team or a supplier."""
    principal = session_principal(request, session, now=now, valid_for=web.session_valid)
    if principal is None:
        raise SignInRequired(_wanted(request))
    return principal


ViewerDep = Annotated[Principal, Depends(get_viewer)]


def get_staff(principal: ViewerDep, request: Request, session: SessionDep) -> Principal:
    """A member of the quality team (any role); a supplier is sent to its portal.

    The menu shows the review queue's length on every page of the team's
    (submissions.queue), so it is counted here, once a request, for web.render.page."""
    if principal.is_supplier:
        raise StaffOnly()
    request.state.review_queue = waiting_for_review(session)
    return principal


StaffDep = Annotated[Principal, Depends(get_staff)]


def get_supplier_person(principal: ViewerDep) -> Principal:
    """A supplier's person (account or link); the quality team uses its own pages."""
    if not principal.is_supplier:
        raise SuppliersOnly()
    return principal


SupplierDep = Annotated[Principal, Depends(get_supplier_person)]


# -- a customer who came through their link (the customer portal) ------------------------------
# Kept apart from the principal above: a customer's session opens the customer pages only;
# every quality-team and supplier page reads it as no session at all (session_principal looks
# for a user or a supplier) and asks to sign in.

def start_customer_session(request: Request, *, now: datetime, customer_id: int) -> None:
    """A fresh session for a customer (a new CSRF token too), as start_session for others."""
    request.session.clear()
    request.session["customer_id"] = customer_id
    request.session["signed_in_at"] = isoformat(now)


def session_customer(
    request: Request, session: Session, *, now: datetime, valid_for: Any
) -> Customer | None:
    """The customer whose link began this session, while it lasts and they exist."""
    data = request.session
    customer_id = data.get("customer_id")
    if not isinstance(customer_id, int) or "user_id" in data or "supplier_id" in data:
        return None
    started = _signed_in_at(data)
    if started is None or now - started > valid_for or started > now + valid_for:
        data.clear()
        return None
    customer = session.get(Customer, customer_id)
    if customer is None:
        data.clear()
    return customer


def get_customer_of_link(request: Request, session: SessionDep, now: NowDep,
                         web: WebDep) -> Customer:
    found = session_customer(request, session, now=now, valid_for=web.session_valid)
    if found is None:
        raise Refused(403, "this page opens through your customer link; open the link again, "
                           "or ask the service desk for a new one", field="t")
    return found


CustomerDep = Annotated[Customer, Depends(get_customer_of_link)]
