"""Pages from Jinja2 templates (autoescaped), with what every page needs: who is signed in,
the form token, and the request's `now`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from capaflow.accounts import Principal
from capaflow.attachments import kind_text, size_text
from capaflow.calendars import isoformat, readable
from capaflow.web.csrf import FIELD, csrf_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["when"] = readable
TEMPLATES.env.filters["iso"] = isoformat
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
    }
    values.update(context)
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status)


def flash(request: Request, message: str) -> None:
    """A one-line confirmation shown on the next page (after the redirect that follows a
    successful form)."""
    request.session["flash"] = message[:500]
