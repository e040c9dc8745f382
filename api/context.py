"""What every request shares: the settings resolved once at start, and the dependencies for
the session (one transaction per request), the clock and the principal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from accounts import Principal, resolve_token
from api.errors import forbidden, unauthorized
from calendars import as_utc, resolve_now
from cli.common import Env
from config import Settings
from deadlines.policy import DeadlinePolicy
from errors import BadInput
from models.db import session_scope
from notifications.routing import Routes, load_routes


@dataclass
class ApiContext:
    settings: Settings
    engine: Engine
    policies: dict[str, Any]
    deadline_policy: DeadlinePolicy
    routes: Routes

    @classmethod
    def start(cls, settings: Settings) -> ApiContext:
        """Resolve database, policies and routes as the CLI's Env does, once, so a bad
        setting stops the server at start rather than failing every request."""
        env = Env(True, settings.database_url, settings.now, settings.config)
        env.now  # noqa: B018  (a malformed CAPA_NOW is refused here, at start)
        return cls(
            settings=settings,
            engine=env.engine(),
            policies=env.policies,
            deadline_policy=env.deadline_policy,
            routes=load_routes(settings.routes),
        )

    def now(self) -> datetime:
        # The real clock on every request, unless CAPA_NOW pins it (tests, simulations).
        try:
            return as_utc(resolve_now(self.settings.now))
        except ValueError as exc:
            raise BadInput(str(exc), field="now") from exc


def context(request: Request) -> ApiContext:
    found: ApiContext = request.app.state.capa
    return found


ContextDep = Annotated[ApiContext, Depends(context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    """One request, one transaction: committed when the route returns, rolled back if it
    raises (a refusal included), so a refused request writes nothing."""
    with session_scope(ctx.engine) as session:
        yield session


# scope="function": the transaction ends when the route returns, BEFORE the response is sent,
# so a commit that fails (a concurrent write) still becomes a 409 and never a 200 for
# something that was not written.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_now(ctx: ContextDep) -> datetime:
    return ctx.now()


NowDep = Annotated[datetime, Depends(get_now)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `capa token create`.")


def get_principal(
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    principal = resolve_token(session, token=credentials.credentials, now=now)
    if principal is None:
        raise unauthorized()
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_staff(principal: PrincipalDep) -> Principal:
    """A user of the quality team (any role); suppliers are refused."""
    if principal.is_supplier:
        raise forbidden("suppliers may not do this")
    return principal


def get_writer(principal: PrincipalDep) -> Principal:
    """A quality lead or quality manager: the roles that may change data."""
    if not principal.can_write:
        raise forbidden(f"the role {principal.role} may not change data")
    return principal


StaffDep = Annotated[Principal, Depends(get_staff)]
WriterDep = Annotated[Principal, Depends(get_writer)]
