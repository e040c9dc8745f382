"""Signed, expiring links that let a supplier's people into their portal without an account.

A link carries the supplier's id and the moment it expires, signed with the site key
(itsdangerous, its own salt, so neither a session cookie nor any other signed value of the
site passes as a link). The expiry is inside the signed payload and checked against the `now`
it is given, not against the real clock (as itsdangerous' TimestampSigner would): time is an
argument, so a link's validity can be tested and simulated like every other deadline.

A link is refused (LinkRefused, one message for every reason) when its signature does not
match, when it has expired, or when its supplier no longer exists: telling these apart would
help whoever holds a guessed or altered link.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from itsdangerous import BadData, URLSafeSerializer
from sqlmodel import Session

from capaflow.accounts.secrets import site_secret
from capaflow.calendars import parse_duration
from capaflow.config import Settings
from capaflow.errors import BadInput
from capaflow.models import Supplier

_SALT = "capaflow.supplier-portal-link"
# Far longer than any token we make (about 100 characters); anything longer is not ours.
MAX_TOKEN = 1000
PORTAL_ENTRY = "/portal/enter"


class LinkRefused(Exception):
    """The link is tampered with, expired, or for a supplier that no longer exists."""


def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(
        secret, salt=salt, signer_kwargs={"digest_method": hashlib.sha256}
    )


def epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("a link's time must carry its offset")
    return int(moment.timestamp())


def sign_payload(secret: str, salt: str, payload: dict[str, int]) -> str:
    """`payload` signed with the site key under `salt` (one salt per kind of link, so a link of
    one kind never passes as another), URL-safe."""
    token: str = _serializer(secret, salt).dumps(payload)
    return token


def open_payload(secret: str, salt: str, token: str, keys: tuple[str, ...]) -> dict[str, int]:
    """The payload of a token signed under `salt`, each of `keys` a positive integer;
    LinkRefused if tampered with or not one of ours. Expiry is the caller's to check."""
    if not token or len(token) > MAX_TOKEN:
        raise LinkRefused("no valid link")
    serializer = _serializer(secret, salt)
    try:
        payload: Any = serializer.loads(token)
    except (BadData, UnicodeError, ValueError) as exc:
        raise LinkRefused("bad signature") from exc
    # Base64 leaves a few bits of a token's last character unused: a character changed there
    # decodes to the same bytes and the same signature. Only the exact token we made passes.
    canonical: str = serializer.dumps(payload)
    if not hmac.compare_digest(canonical.encode(), token.encode()):
        raise LinkRefused("not the token that was signed")
    if not isinstance(payload, dict) or set(payload) != set(keys):
        raise LinkRefused("not a link")
    # bool is an int to Python; no field is ever one.
    if any(not isinstance(payload[k], int) or isinstance(payload[k], bool) or payload[k] < 1
           for k in keys):
        raise LinkRefused("not a link")
    return {k: int(payload[k]) for k in keys}


def supplier_link(secret: str, *, supplier_id: int, now: datetime, valid_for: timedelta) -> str:
    """A token (URL-safe) that opens the portal of `supplier_id` until `now + valid_for`."""
    if valid_for <= timedelta(0):
        raise BadInput("web.supplier_link_valid: must be a positive span",
                       field="web.supplier_link_valid")
    return sign_payload(secret, _SALT, {"s": supplier_id, "e": epoch(now + valid_for)})


def open_link(secret: str, token: str, *, now: datetime) -> int:
    """The supplier id a token opens; LinkRefused if tampered with or expired at `now`."""
    payload = open_payload(secret, _SALT, token, ("s", "e"))
    if epoch(now) >= payload["e"]:
        raise LinkRefused("expired")
    return payload["s"]


def supplier_from_link(session: Session, secret: str, token: str, *, now: datetime) -> Supplier:
    """The supplier a link opens, if it still exists; LinkRefused otherwise."""
    supplier = session.get(Supplier, open_link(secret, token, now=now))
    if supplier is None:
        raise LinkRefused("supplier gone")
    return supplier


def portal_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PORTAL_ENTRY}?t={quote(token, safe='')}"


def fixed_span(policies: Mapping[str, Any], key: str) -> timedelta:
    """`[web] KEY` as a span of hours or days (`"12h"`, `"14d"`); BadInput naming `web.KEY`."""
    return span_of(str(policies.get("web", {}).get(key, "")), f"web.{key}")


def span_of(text: str, field: str) -> timedelta:
    """A link's or session's life: a positive span of hours or days; BadInput naming `field`."""
    # Sessions and links expire by the clock, not by the working calendar: hours and days only.
    try:
        duration = parse_duration(text)
    except ValueError as exc:
        raise BadInput(f"{field}: {exc}", field=field) from exc
    if duration.unit not in ("h", "d") or duration.amount <= 0:
        raise BadInput(f"{field}: '{text}' must be a positive span in hours or days "
                       "(e.g. \"12h\", \"14d\")", field=field)
    return timedelta(hours=duration.amount) if duration.unit == "h" else timedelta(
        days=duration.amount)


LinkMaker = Callable[[int], str]


def link_maker(secret: str, *, base_url: str, now: datetime, valid_for: timedelta) -> LinkMaker:
    """supplier id → a fresh portal URL valid from `now` (what dispatch puts into notices)."""

    def link_for(supplier_id: int) -> str:
        token = supplier_link(secret, supplier_id=supplier_id, now=now, valid_for=valid_for)
        return portal_url(base_url, token)

    return link_for


def site_link_maker(
    session: Session, *, settings: Settings, policies: Mapping[str, Any], now: datetime
) -> LinkMaker:
    """The link maker of this site: its signing key, `[web] supplier_link_valid` and
    `base_url`, resolved as the web server resolves them (web.context), so the links a
    dispatcher or the CLI writes are the ones the server opens."""
    valid_for = fixed_span(policies, "supplier_link_valid")
    secret = site_secret(session, configured=settings.secret_key, now=now)
    return link_maker(secret, base_url=settings.base_url, now=now, valid_for=valid_for)
