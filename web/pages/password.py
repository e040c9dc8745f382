"""Change password (/account/password): a signed-in user sets a new password, proving it is
them with the current one. The user's other sessions stop working; this one goes on under
the new session generation (accounts.users.change_password, web.auth.start_session)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.users import MIN_PASSWORD, change_password
from capaflow.errors import BadInput
from capaflow.models import User
from capaflow.serving.context import NowDep, SessionDep
from capaflow.serving.errors import forbidden
from capaflow.web.auth import ViewerDep, start_session
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep, form_text
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)


def _account(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        # A supplier who came through a signed link has no account, so no password.
        raise forbidden("signed in through a link: there is no password to change")
    return user


def _form_page(request: Request, *, principal: Principal, now: datetime, status: int = 200,
               problem: BadInput | None = None) -> HTMLResponse:
    return page(request, "password.html", principal=principal, now=now, status=status,
                problem=problem, min_length=MIN_PASSWORD)


@router.get("/account/password")
def password_form(request: Request, session: SessionDep, now: NowDep,
                  principal: ViewerDep) -> Response:
    _account(session, principal)
    return _form_page(request, principal=principal, now=now)


@router.post("/account/password", dependencies=[CsrfChecked])
def password_submit(request: Request, session: SessionDep, now: NowDep, principal: ViewerDep,
                    form: FormDep) -> Response:
    account = _account(session, principal)
    try:
        user = change_password(session, name=account.name, current=form_text(form, "current"),
                               new=form_text(form, "password"),
                               repeated=form_text(form, "repeat"), now=now)
    except BadInput as exc:
        session.rollback()
        return _form_page(request, principal=principal, now=now, status=422, problem=exc)
    # This session carries on under the new generation; every other one has ended.
    start_session(request, now=now, user=user)
    flash(request, "Password changed. Your other sessions have been signed out.")
    return RedirectResponse("/portal" if user.supplier_id else "/", 303)
