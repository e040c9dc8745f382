"""CSRF protection for every form: a random token kept in the signed session, written into
each form as a hidden field, and compared on every POST (synchroniser token pattern).

A forged request from another site carries the cookie but cannot read the page to learn the
token; SameSite=Lax on the cookie is a second line, not the only one.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Depends, Request

from capaflow.serving.errors import Refused

FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    form = await request.form()
    given = form.get(FIELD)
    if (
        not isinstance(expected, str) or not expected or not isinstance(given, str)
        or not hmac.compare_digest(expected.encode(), given.encode())
    ):
        raise Refused(403, "the form has expired or did not come from this site: reload the "
                           "page and try again", field=FIELD)


CsrfChecked = Depends(verify_csrf)
