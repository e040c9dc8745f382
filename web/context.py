"""What the pages share beyond the API's context: the signing key, how long a session and a
supplier link last, and where the site is reached (for links in notices)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from capaflow.accounts.secrets import site_secret
from capaflow.models.db import session_scope
from capaflow.serving.context import ApiContext


@dataclass(frozen=True)
class WebContext:
    secret: str
    session_valid: timedelta
    supplier_link_valid: timedelta
    base_url: str
    https_only: bool

    @classmethod
    def start(cls, api: ApiContext, now: datetime) -> WebContext:
        # The settings and the typed policies the API's context was started with (the
        # composition root, capaflow.runtime): [web] was checked there.
        runtime = api.runtime
        with session_scope(api.engine) as session:
            secret = site_secret(session, configured=runtime.settings.secret_key, now=now)
        return cls(
            secret=secret,
            session_valid=runtime.policies.web.session_valid,
            supplier_link_valid=runtime.policies.web.supplier_link_valid,
            base_url=runtime.settings.base_url.rstrip("/"),
            https_only=runtime.settings.https_only,
        )


def web_context(request: Request) -> WebContext:
    found: WebContext = request.app.state.web
    return found


WebDep = Annotated[WebContext, Depends(web_context)]
