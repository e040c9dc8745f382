"""Refusals on pages: the same meaning as the API's statuses (422, 404, 409, 403), as a page a
person can read; a missing session becomes a redirect to sign in. /api/ paths keep the API's
JSON error document."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from decimal import InvalidOperation
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from capaflow.errors import CapaError
from capaflow.serving.errors import Refused, http_status
from capaflow.web.auth import SignInRequired, StaffOnly, SuppliersOnly
from capaflow.web.render import page

Handler = Callable[[Request, Exception], Awaitable[Response]]
ApiHandler = Callable[[Request, Any], Response | Awaitable[Response]]
_TITLE = {403: "Not allowed", 404: "Not found", 405: "Not allowed", 409: "Conflict",
          422: "Check your input"}


def _error_page(request: Request, status: int, message: str, field: str | None) -> Response:
    return page(request, "error.html", principal=None, status=status,
                title=_TITLE.get(status, "Error"), message=message, field=field)


def _page_response(request: Request, exc: Exception) -> Response:
    if isinstance(exc, SignInRequired):
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", 303)
    if isinstance(exc, StaffOnly):
        return RedirectResponse("/portal", 303)
    if isinstance(exc, SuppliersOnly):
        return RedirectResponse("/", 303)
    refusal = _refusal(exc)
    if refusal is None:
        raise exc
    return _error_page(request, *refusal)


def _refusal(exc: Exception) -> tuple[int, str, str | None] | None:
    """The status, message and field a refusal is shown with; None for a real failure."""
    if isinstance(exc, CapaError):
        return http_status(exc), exc.message, exc.field
    if isinstance(exc, Refused):
        return exc.status, exc.message, exc.field
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        location = [str(p) for p in first.get("loc", ())[1:]]
        field = ".".join(location) or None
        return 422, f"{field}: {first.get('msg')}" if field else str(first.get("msg")), field
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, str(exc.detail), None
    if isinstance(exc, IntegrityError):
        return 409, ("the change conflicts with data written at the same time; reload the "
                     "page and try again"), None
    if isinstance(exc, OperationalError) and any(
        word in str(exc).lower() for word in ("locked", "busy")
    ):
        return 409, "the database is busy with another update; try again", None
    if isinstance(exc, DataError | InvalidOperation | OverflowError):
        # The forms check their fields first; this is the last line, never a 500.
        return 422, "a value is out of range or cannot be stored", None
    return None


def install(app: FastAPI) -> None:
    """Keep the API's handlers for /api/ and answer pages with pages."""
    for kind in (CapaError, Refused, RequestValidationError, StarletteHTTPException,
                 SignInRequired, StaffOnly, SuppliersOnly, IntegrityError, OperationalError,
                 DataError, InvalidOperation, OverflowError):
        api_handler = app.exception_handlers.get(kind)
        app.add_exception_handler(kind, _either(api_handler))


def _either(api_handler: ApiHandler | None) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if api_handler is not None and request.url.path.startswith("/api/"):
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        return _page_response(request, exc)

    return handle
