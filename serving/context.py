"""What every request shares: the settings resolved once at start, and the dependencies for
the session (one transaction per request), the clock and the principal.

The dependencies are `async def` although they do no asynchronous I/O: FastAPI runs every
plain `def` dependency in the thread pool, one hop (and a wake-up of the event loop) each,
which cost more than the work of a whole read request (bench/api_load.py). These do no
blocking I/O on the loop: the session is created without connecting, the token is looked up
in memory, and whatever talks to the database (resolving a token not in the cache, commit or
rollback) runs in a worker thread. A route is a plain `def`, run in a worker thread, or, for
the busiest, an `async def` that hands all its blocking work to one (in_worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.tokens import TokenUse, cached_principal, look_up_token, touch_token
from capaflow.calendars import as_utc, resolve_now
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput
from capaflow.models.db import session_scope
from capaflow.notifications.routing import Routes
from capaflow.runtime import Runtime
from capaflow.serving.errors import forbidden, unauthorized

# How many requests of the busiest routes (in_worker) run their database work at once, per
# process. The work is Python under one GIL: more threads do not add a core, they only hand
# the GIL back and forth at every SQLite call, which under 50 clients more than doubled the
# CPU a request costs (bench/api_load.py). Two, not one, so one very long request (a list of
# 100,000 cases) does not hold up every other read of its process.
READ_SLOTS = 2


@dataclass
class ApiContext:
    settings: Settings
    engine: Engine
    policies: dict[str, Any]
    deadline_policy: DeadlinePolicy
    routes: Routes
    # What the above were resolved from (the typed policies among them), for the pages.
    runtime: Runtime
    # Made on first use, per event loop: a CapacityLimiter belongs to the loop it waits on
    # (a server has one; tests may serve one app from several).
    _read_slots: dict[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = field(
        default_factory=dict, repr=False)

    def read_slots(self) -> anyio.CapacityLimiter:
        loop = asyncio.get_running_loop()
        slots = self._read_slots.get(loop)
        if slots is None:
            slots = self._read_slots[loop] = anyio.CapacityLimiter(READ_SLOTS)
        return slots

    @classmethod
    def start(cls, settings: Settings) -> ApiContext:
        """Resolve database, clock, policies and routes through the composition root, once,
        so a bad setting stops the server at start rather than failing every request."""
        runtime = Runtime(settings=settings).start()
        return cls(
            settings=settings,
            engine=runtime.engine(),
            policies=runtime.document,
            deadline_policy=runtime.deadline_policy,
            routes=runtime.routes,
            runtime=runtime,
        )

    def now(self) -> datetime:
        # The real clock on every request, unless CAPA_NOW pins it (tests, simulations).
        try:
            return as_utc(resolve_now(self.settings.now))
        except ValueError as exc:
            raise BadInput(str(exc), field="now") from exc


async def context(request: Request) -> ApiContext:
    found: ApiContext = request.app.state.capa
    return found


ContextDep = Annotated[ApiContext, Depends(context)]


async def get_session(ctx: ContextDep) -> AsyncIterator[Session]:
    """One request, one transaction: committed when the route returns, rolled back if it
    raises (a refusal included), so a refused request writes nothing."""
    scope = session_scope(ctx.engine)
    session = scope.__enter__()  # creates the Session only: it connects on first use
    # The end (commit or rollback, and the connection back to its pool) runs in a thread with
    # a limiter of its own, as FastAPI does for generator dependencies: were it to wait for a
    # token of the shared thread pool, routes holding every token while they wait for a pooled
    # connection would wait forever for the connections only these ends give back.
    limiter = anyio.CapacityLimiter(1)
    try:
        yield session
    except BaseException as exc:
        # Shielded: a cancelled request still rolls back and returns its connection.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(
                scope.__exit__, type(exc), exc, exc.__traceback__, limiter=limiter
            )
        raise
    if not session.in_transaction() and _TOUCH_DUE not in session.info:
        # The route committed in its own thread (in_worker): no connection is held and
        # nothing is left to write, so closing the Session object does no I/O.
        scope.__exit__(None, None, None)
        return
    await anyio.to_thread.run_sync(scope.__exit__, None, None, None, limiter=limiter)


# scope="function": the transaction ends when the route returns, BEFORE the response is sent,
# so a commit that fails (a concurrent write) still becomes a 409 and never a 200 for
# something that was not written.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


_P = ParamSpec("_P")
_T = TypeVar("_T")


async def in_worker(
    ctx: ApiContext, session: Session, work: Callable[_P, _T], *args: _P.args,
    **kwargs: _P.kwargs,
) -> _T:
    """Run a read route's blocking work and commit its transaction in ONE worker thread, at
    most READ_SLOTS at a time.

    For the busiest routes: as an `async def` that awaits this, a route costs one thread hop
    where a plain `def` route costs three (the route, the validation of its answer, the end
    of its session), each ~0.1 ms and a wake-up of the event loop (bench/api_load.py). The
    commit happens before the answer is built, as with any route, so a commit that fails is
    still a 409 and never a 200; a route that raises is rolled back by get_session.

    A request takes its pooled connection only inside this thread and gives it back before
    leaving it, so no request ever holds a connection while it waits for a slot.
    """

    def run() -> _T:
        result = work(*args, **kwargs)
        session.commit()
        return result

    return await anyio.to_thread.run_sync(run, limiter=ctx.read_slots())


async def get_now(ctx: ContextDep) -> datetime:
    return ctx.now()


NowDep = Annotated[datetime, Depends(get_now)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `capa token create`.")


_TOUCH_DUE = "capa.token_touch_due"


def _look_up(engine: Engine, token: str, now: datetime) -> TokenUse | None:
    # A short read-only transaction of its own, whose connection is back in the pool before
    # the request goes on: held until the route's thread, it could be one of the connections
    # every thread is waiting for.
    with session_scope(engine) as session:
        return look_up_token(session, token=token, now=now)


def _touch_on_commit(session: Session, token_id: int, now: datetime) -> None:
    """Record the token's use in the request's own transaction, just before it commits: a
    refused request rolls back and records nothing."""
    session.info[_TOUCH_DUE] = True

    def touch(_session: Any) -> None:
        if session.info.pop(_TOUCH_DUE, False):
            touch_token(session, token_id=token_id, now=now)

    event.listen(session, "before_commit", touch, once=True)


async def get_principal(
    ctx: ContextDep,
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    token = credentials.credentials
    # Most requests find their token in the cache (accounts.tokens): no query, no thread.
    principal = cached_principal(ctx.engine, token=token)
    if principal is not None:
        return principal
    use = await run_in_threadpool(_look_up, ctx.engine, token, now)
    if use is None:
        raise unauthorized()
    if use.touch_due and use.principal.token_id is not None:
        _touch_on_commit(session, use.principal.token_id, now)
    return use.principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_staff(principal: PrincipalDep) -> Principal:
    """A user of the quality team (any role); suppliers are refused."""
    if principal.is_supplier:
        raise forbidden("suppliers may not do this")
    return principal


def require_writer(principal: Principal) -> Principal:
    """A quality lead or quality manager: the roles that may change data.

    Called in the route rather than as WriterDep where a supplier's token must first get the
    404 of a record it may not see, before the 403 of a change it may not make.
    """
    if not principal.can_write:
        raise forbidden(f"the role {principal.role} may not change data")
    return principal


async def get_writer(principal: PrincipalDep) -> Principal:
    """A quality lead or quality manager: the roles that may change data."""
    return require_writer(principal)


StaffDep = Annotated[Principal, Depends(get_staff)]
WriterDep = Annotated[Principal, Depends(get_writer)]
