"""The key the site signs with: CAPA_SECRET_KEY when set, else one made at first use and kept
in the database, so the web server, the sweep (which writes links into notices) and every
worker of a site sign and check with the same key without anyone configuring it.

Whoever can read the database can then forge a session; a site that keeps its database less
guarded than its configuration sets CAPA_SECRET_KEY.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from capaflow.errors import BadInput
from capaflow.models import AppSecret

MIN_KEY = 32  # characters; a short key is guessable offline from one signed cookie


def site_secret(
    session: Session, *, configured: str | None, now: datetime, name: str = "signing"
) -> str:
    if configured is not None:
        if len(configured) < MIN_KEY:
            raise BadInput(f"secret_key: at least {MIN_KEY} characters (CAPA_SECRET_KEY)",
                           field="secret_key")
        return configured
    found = session.get(AppSecret, name)
    if found is not None:
        return found.value
    candidate = AppSecret(name=name, value=secrets.token_urlsafe(48), created_at=now)
    try:
        # Two processes starting at once: one insert wins, the other reads the winner's key.
        with session.begin_nested():
            session.add(candidate)
    except IntegrityError:
        session.expunge_all()
        winner = session.get(AppSecret, name)
        assert winner is not None
        return winner.value
    return candidate.value
