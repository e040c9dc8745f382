"""Refusals as HTTP: the error document `{"error": {"code", "message", "field"}}` for all
(documents.errors), and the one place that says which status each refusal gets.

CapaError keeps the meaning of the CLI's exit codes (2 → 422, 3 → 404, 4 → 409); 401 and 403
are the API's own, since the CLI has no principal to refuse.
"""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from capaflow.accounts.throttle import AccountLocked, TooManyAttempts
from capaflow.documents.errors import ErrorPublic, error_document, refusal_document
from capaflow.errors import BadInput, CapaError, Conflict, NotFound

# The status of each refusal of the services, for the API and the pages alike.
STATUS: dict[type[CapaError], int] = {BadInput: 422, NotFound: 404, Conflict: 409}
_CODE = {
    401: "unauthorized", 403: "forbidden", 405: "method_not_allowed", 413: "too_large",
    **{status: kind.code for kind, status in STATUS.items()},
}


# Password guessing (accounts.throttle): bad input to the CLI (exit 2), but over HTTP a wait
# (429, with Retry-After) and a locked account (403, until a quality manager unlocks it).
# Checked before STATUS: both are kinds of BadInput. Their error documents keep their own
# codes ("too_many_attempts", "account_locked").
GUESSING: dict[type[CapaError], int] = {TooManyAttempts: 429, AccountLocked: 403}


def http_status(error: CapaError) -> int:
    """The HTTP status of a refusal (422 for one of no known kind: it is about the input)."""
    for kind, status in GUESSING.items():
        if isinstance(error, kind):
            return status
    return next((status for kind, status in STATUS.items() if isinstance(error, kind)), 422)


class Refused(Exception):
    """A refusal only the API has: 401 (who are you?) and 403 (you may not do this)."""

    def __init__(self, status: int, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def unauthorized() -> Refused:
    # One message for a missing, unknown, revoked or disabled token: telling them apart
    # would help someone holding a stolen or guessed one.
    return Refused(401, "a valid API token is required (Authorization: Bearer TOKEN)")


def forbidden(message: str) -> Refused:
    return Refused(403, message)


def error_response(status: int, message: str, field: str | None = None) -> JSONResponse:
    return document_response(status, error_document(_CODE.get(status, "error"), message, field))


def document_response(status: int, document: ErrorPublic) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(document.as_json(), status_code=status, headers=headers)


def _field(location: tuple[Any, ...] | list[Any]) -> str | None:
    # ("body", "fields", "root_cause") → "fields.root_cause"; ("query", "limit") → "limit".
    parts = [str(p) for p in location[1:]] if len(location) > 1 else [str(p) for p in location]
    return ".".join(parts) or None


async def _capa_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CapaError)
    response = document_response(http_status(exc), refusal_document(exc))
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _refused(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return error_response(exc.status, exc.message, exc.field)


# FastAPI's answer to a body it could not decode at all (bytes that are not UTF-8, JSON nested
# too deep): a 400 outside the contract, which answers bad input with 422 naming the field.
BODY_NOT_PARSED = "There was an error parsing the body"


def body_not_json(detail: str | None = None) -> tuple[str, str]:
    """The message and field of a request body that is not JSON at all."""
    why = f" ({detail})" if detail else ""
    return f"body: not valid JSON{why}; send one JSON object, UTF-8", "body"


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":
        # Its location is ("body", offset): the field is the body, not a number.
        location = first.get("loc", ())
        at = f"at character {location[1]}" if len(location) > 1 else None
        context = first.get("ctx")
        why = context.get("error") if isinstance(context, dict) else None
        return error_response(422, *body_not_json(", ".join(str(w) for w in (why, at) if w)))
    field = _field(tuple(first.get("loc", ())))
    message = f"{field}: {first.get('msg', 'invalid')}" if field else str(first.get("msg"))
    return error_response(422, message, field)


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == BODY_NOT_PARSED:
        return error_response(422, *body_not_json("not UTF-8, or nested too deep"))
    return error_response(exc.status_code, str(exc.detail))


async def _integrity(_request: Request, _exc: Exception) -> JSONResponse:
    # As in cli.common.run: a unique key another request wrote first is a conflict (409).
    return error_response(409, "the change conflicts with data written at the same time")


async def _operational(_request: Request, exc: Exception) -> JSONResponse:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return error_response(409, "the database is busy with another update; try again")
    raise exc


async def _data(_request: Request, _exc: Exception) -> JSONResponse:
    # Last line of defence: a value the database refuses (out of range, a NUL byte) is bad
    # input, never a 500. The request models are meant to catch these first, naming the field.
    return error_response(422, "a value is out of range or not storable")


async def _out_of_range(_request: Request, _exc: Exception) -> JSONResponse:
    # Also a last line of defence, for values that pass the services' checks but not the
    # arithmetic behind them: an amount of 1E+100 (decimal.InvalidOperation when it is
    # rounded to cents), a time in year 1 moved to UTC (OverflowError). Bad input, not a 500.
    return error_response(422, "a value is out of range")


def install(app: FastAPI) -> None:
    app.add_exception_handler(CapaError, _capa_error)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(OperationalError, _operational)
    app.add_exception_handler(DataError, _data)
    app.add_exception_handler(InvalidOperation, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)
