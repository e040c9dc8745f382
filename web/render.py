"""Pages from Jinja2 templates (autoescaped), with what every page needs: who is signed in,
the form token, and the request's `now`."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from capaflow.accounts import Principal
from capaflow.attachments import kind_text, size_text
from capaflow.calendars import isoformat, readable
from capaflow.serving.context import ApiContext
from capaflow.statemachines.words import say, say_value
from capaflow.web.csrf import FIELD, csrf_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    """A time on the site's wall clock (`[calendar] timezone`), which `page` puts in every
    page's context as `zone`."""
    zone: tzinfo | None = context.get("zone")
    return readable(value, zone)


TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.filters["iso"] = isoformat
# Names the engine keeps (states, steps, roles) in the words people read; the JSON keeps the
# names (statemachines.words).
TEMPLATES.env.filters["words"] = say
TEMPLATES.env.filters["value"] = say_value


def site_zone(request: Request) -> tzinfo:
    """The zone the site's people read times in: the business calendar's."""
    context: ApiContext = request.app.state.capa
    return context.deadline_policy.calendar.zone
TEMPLATES.env.filters["filesize"] = size_text
TEMPLATES.env.filters["filekind"] = kind_text


def page(
    request: Request,
    template: str,
    *,
    principal: Principal | None,
    now: datetime | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    values: dict[str, Any] = {
        "principal": principal,
        "flash": request.session.pop("flash", None),
        "csrf_field": FIELD,
        "csrf_token": csrf_token(request),
        "now": now,
        "zone": site_zone(request),
        # Supplier submissions waiting for review, for the menu (web.auth.get_staff).
        "review_queue": getattr(request.state, "review_queue", None),
    }
    values.update(context)
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status)


def flash(request: Request, message: str) -> None:
    """A one-line confirmation shown on the next page (after the redirect that follows a
    successful form)."""
    request.session["flash"] = message[:500]
