"""Signing in and out of the web app with a name and password (users of the quality team and
suppliers' own accounts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from capaflow.accounts import authenticate
from capaflow.accounts.throttle import AccountLocked, TooManyAttempts
from capaflow.serving.context import NowDep, SessionDep
from capaflow.web.auth import end_session, session_principal, start_session
from capaflow.web.context import WebDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

_FIELD = 1000  # longer names and passwords are refused by the account rules anyway


def safe_next(path: str | None, default: str) -> str:
    """Only a path on this site: `//evil.example` or `https://…` would send a freshly signed-in
    person elsewhere (an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path


@router.get("/login")
def login_form(request: Request, session: SessionDep, now: NowDep, web: WebDep,
               next: str | None = None) -> Response:
    principal = session_principal(request, session, now=now, valid_for=web.session_valid)
    if principal is not None:
        return RedirectResponse(safe_next(next, "/portal" if principal.is_supplier else "/"),
                                303)
    return page(request, "login.html", principal=None, next=safe_next(next, ""), name="",
                message=None)


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    now: NowDep,
    name: Annotated[str, Form(max_length=_FIELD)] = "",
    password: Annotated[str, Form(max_length=_FIELD)] = "",
    next: Annotated[str, Form(max_length=_FIELD)] = "",
) -> Response:
    address = request.client.host if request.client else None
    try:
        # Throttled per name and per client address (accounts.throttle). The address is the
        # client's as uvicorn sees it (X-Forwarded-For from a trusted proxy: README.md,
        # FORWARDED_ALLOW_IPS), else every client behind a proxy would share one count.
        user = authenticate(session, name=name.strip(), password=password, now=now,
                            address=address)
    except (TooManyAttempts, AccountLocked) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 403
        response = page(request, "login.html", principal=None, status=status,
                        next=safe_next(next, ""), name=name, message=exc.message.split(": ", 1)[1],
                        field="password")
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        # One message for a wrong name and a wrong password, as for tokens.
        return page(request, "login.html", principal=None, status=401, next=safe_next(next, ""),
                    name=name, message="name or password is not right", field="password")
    start_session(request, now=now, user=user)
    return RedirectResponse(safe_next(next, "/portal" if user.supplier_id else "/"), 303)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep) -> Response:
    end_session(request, session)
    return RedirectResponse("/login", 303)
