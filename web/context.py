"""What the pages share beyond the API's context: the signing key, how long a session and a
supplier link last, and where the site is reached (for links in notices)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request

from accounts.secrets import site_secret
from api.context import ApiContext
from calendars import parse_duration
from errors import BadInput
from models.db import session_scope


def _fixed_span(policies: dict[str, Any], key: str) -> timedelta:
    # Sessions and links expire by the clock, not by the working calendar: hours and days only.
    text = str(policies.get("web", {}).get(key, ""))
    try:
        duration = parse_duration(text)
    except ValueError as exc:
        raise BadInput(f"web.{key}: {exc}", field=f"web.{key}") from exc
    if duration.unit not in ("h", "d") or duration.amount <= 0:
        raise BadInput(f"web.{key}: '{text}' must be a positive span in hours or days "
                       "(e.g. \"12h\", \"14d\")", field=f"web.{key}")
    return timedelta(hours=duration.amount) if duration.unit == "h" else timedelta(
        days=duration.amount)


@dataclass(frozen=True)
class WebContext:
    secret: str
    session_valid: timedelta
    supplier_link_valid: timedelta
    base_url: str
    https_only: bool

    @classmethod
    def start(cls, api: ApiContext, now: datetime) -> WebContext:
        with session_scope(api.engine) as session:
            secret = site_secret(session, configured=api.settings.secret_key, now=now)
        return cls(
            secret=secret,
            session_valid=_fixed_span(api.policies, "session_valid"),
            supplier_link_valid=_fixed_span(api.policies, "supplier_link_valid"),
            base_url=api.settings.base_url.rstrip("/"),
            https_only=api.settings.https_only,
        )


def web_context(request: Request) -> WebContext:
    found: WebContext = request.app.state.web
    return found


WebDep = Annotated[WebContext, Depends(web_context)]
