"""API tokens: created for a user (their role) or a supplier (their own data), shown once,
stored as SHA-256, resolved to a `Principal` on every request.

SHA-256 rather than the password hash: a token is 32 random bytes, so there is nothing to
guess and nothing a slow hash would protect; a fast hash keeps every request cheap.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from sqlalchemy import bindparam, event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import Session, select

from capaflow.accounts.users import (
    DESK_MANAGER_ROLES,
    QUALITY_READER_ROLES,
    SERVICE_ROLES,
    WRITER_ROLES,
    get_user,
)
from capaflow.calendars import as_utc
from capaflow.errors import BadInput, Conflict, NotFound, check_text
from capaflow.models import ApiToken, Supplier, User
from capaflow.models.types import UTCDateTime
from capaflow.suppliers.registry import get_supplier

SUPPLIER = "supplier"
# Touching last_used_at on every request would turn every read into a write (and, on SQLite,
# serialise all readers behind one writer); once a minute is precise enough to spot a stale
# token.
_TOUCH_EVERY = timedelta(minutes=1)
_MAX_TOKEN = 200  # token_urlsafe(32) is 43 characters; anything far longer is not ours
# How long a resolved token is trusted without asking the database again (see _cache below).
CACHE_SECONDS = 5.0
_CACHE_MAX = 10_000


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a user with a role, or a supplier (role "supplier")."""

    name: str
    role: str
    token_id: int | None = None  # None when signed in through the web (a session cookie)
    user_id: int | None = None
    supplier_id: int | None = None
    supplier_code: str | None = None

    @property
    def is_supplier(self) -> bool:
        return self.supplier_id is not None

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def reads_quality(self) -> bool:
        """Reads supplier quality: a writer or a viewer (accounts.users.QUALITY_READER_ROLES)."""
        return self.role in QUALITY_READER_ROLES

    @property
    def can_serve(self) -> bool:
        """May take service requests in and step them (accounts.users.SERVICE_ROLES)."""
        return self.role in SERVICE_ROLES

    @property
    def manages_desk(self) -> bool:
        """May also add customers, people and absences."""
        return self.role in DESK_MANAGER_ROLES

    @property
    def actor(self) -> str:
        """How the audit trail names this principal: a supplier's own account by its person."""
        if not self.is_supplier:
            return self.name
        if self.user_id is not None:
            return f"{self.name}@supplier:{self.supplier_code}"
        return f"supplier:{self.supplier_code}"


def user_principal(session: Session, user: User, *, token_id: int | None = None) -> Principal:
    """Who an enabled user acts as; a supplier's account is bound to its supplier's data."""
    if user.supplier_id is not None:
        supplier = session.get(Supplier, user.supplier_id)
        assert supplier is not None  # a foreign key: the supplier row exists
        return Principal(name=user.name, role=SUPPLIER, token_id=token_id, user_id=user.id,
                         supplier_id=supplier.id, supplier_code=supplier.code)
    return Principal(name=user.name, role=user.role, token_id=token_id, user_id=user.id)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- the principal cache -----------------------------------------------------------------------
# Resolving a token costs three queries (and, once a minute, a write): more than a whole read
# request otherwise (bench/api_load.py). A process therefore keeps what a token resolved to for
# CACHE_SECONDS, by (engine, token hash): only successes, so an unknown token always asks the
# database. What this trades away, and why it is acceptable:
# - A change made in THIS process (revoke_token, disable_user, anything that updates a user or
#   a token through the ORM) empties the cache when its transaction commits (the events below),
#   so it takes effect at once, as before.
# - A change made by ANOTHER process (`capa token revoke`, `capa user disable` while `capa web`
#   runs) takes effect within CACHE_SECONDS instead of at once.
# - last_used_at is touched when the database is asked, so it lags by up to CACHE_SECONDS more
#   than the minute it was already allowed to lag.
# The lifetime is counted on monotonic(), not on `now`: it bounds how stale the cache may
# be in elapsed seconds whatever CAPA_NOW pins the product's clock to, and decides no rule.
_cache: dict[tuple[Engine, str], tuple[Principal, float]] = {}
_CHANGED = "capa.tokens_changed"


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def cached_principal(engine: Engine, *, token: str) -> Principal | None:
    """The principal this process resolved the token to, on this database, less than
    CACHE_SECONDS ago, if any.

    Reads memory only (no query), so a caller on an event loop may call it without a thread.
    """
    if not token or len(token) > _MAX_TOKEN:
        return None
    found = _cache.get((engine, token_hash(token)))
    if found is None:
        return None
    principal, expires = found
    return principal if monotonic() < expires else None


def _remember(session: Session, digest: str, principal: Principal) -> None:
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()  # a crude bound; only a flood of distinct valid tokens gets here
    _cache[(_engine_of(session), digest)] = (principal, monotonic() + CACHE_SECONDS)


def forget_principals() -> None:
    """Empty the cache: the next request of every token asks the database."""
    _cache.clear()


def _mark_changed(_mapper: Any, _connection: Any, target: Any) -> None:
    if isinstance(target, ApiToken):
        # Touching last_used_at changes nobody's rights; anything else may (revoked_at).
        changed = {a.key for a in instance_state(target).attrs if a.history.has_changes()}
        if changed <= {"last_used_at"}:
            return
    session = object_session(target)
    if session is not None:
        session.info[_CHANGED] = True


def _after_commit(session: OrmSession) -> None:
    # On commit, not on flush: emptied earlier, a concurrent request could read the old row
    # (still the committed one) and put it back for CACHE_SECONDS.
    if session.info.pop(_CHANGED, False):
        _cache.clear()


def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_CHANGED, None)


for _model in (User, ApiToken):
    event.listen(_model, "after_update", _mark_changed)
    event.listen(_model, "after_delete", _mark_changed)
event.listen(OrmSession, "after_commit", _after_commit)
event.listen(OrmSession, "after_rollback", _after_rollback)


def create_token(
    session: Session,
    *,
    user_name: str | None = None,
    supplier_code: str | None = None,
    label: str | None = None,
    now: datetime,
) -> tuple[ApiToken, str]:
    """A new token for exactly one of a user or a supplier: (stored row, the token itself).

    The token is returned once, for the caller to show; only its hash is written.
    """
    if (user_name is None) == (supplier_code is None):
        raise BadInput("user: give either a user or a supplier, not both or neither",
                       field="user")
    row = ApiToken(label=check_text("label", label, limit=100), created_at=now, token_hash="")
    if user_name is not None:
        user = get_user(session, user_name)
        if user.disabled_at is not None:
            raise Conflict(f"user '{user_name}' is disabled", field="user")
        row.user_id = user.id
    else:
        assert supplier_code is not None
        row.supplier_id = get_supplier(session, supplier_code).id
    token = secrets.token_urlsafe(32)
    row.token_hash = token_hash(token)
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, *, token_id: int, now: datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"token {token_id} does not exist", field="token")
    if row.revoked_at is not None:
        raise Conflict(f"token {token_id} is already revoked", field="token")
    row.revoked_at = now
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class TokenUse:
    """What a token resolved to, and whether its last use is due to be recorded."""

    principal: Principal
    touch_due: bool


def look_up_token(session: Session, *, token: str, now: datetime) -> TokenUse | None:
    """What a bearer token acts for, reading only; None for an unknown or revoked token, a
    disabled user, or a supplier that no longer exists (the caller answers 401, saying no
    more). A token found in the cache is not due a touch: it was recorded when it was read."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    cached = cached_principal(_engine_of(session), token=token)
    if cached is not None:
        return TokenUse(cached, touch_due=False)
    digest = token_hash(token)
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or row.revoked_at is not None or row.id is None:
        return None
    principal: Principal | None = None
    if row.user_id is not None:
        user = session.get(User, row.user_id)
        if user is not None and user.disabled_at is None:
            principal = user_principal(session, user, token_id=row.id)
    elif row.supplier_id is not None:
        supplier = session.get(Supplier, row.supplier_id)
        if supplier is not None:
            principal = Principal(name=supplier.code, role=SUPPLIER, token_id=row.id,
                                  supplier_id=supplier.id, supplier_code=supplier.code)
    if principal is None:
        return None
    _remember(session, digest, principal)
    due = row.last_used_at is None or as_utc(row.last_used_at) + _TOUCH_EVERY <= now
    return TokenUse(principal, touch_due=due)


_TOKENS = ApiToken.__table__  # type: ignore[attr-defined]
# Core, not the ORM: a touch changes nobody's rights, and must not empty the cache (_mark_changed).
_TOUCH = update(_TOKENS).where(_TOKENS.c.id == bindparam("token_id")).values(
    last_used_at=bindparam("now", type_=UTCDateTime()))


def touch_token(session: Session, *, token_id: int, now: datetime) -> None:
    """Record the token's use at `now`, in the caller's transaction (so a request that is
    refused and rolled back records nothing)."""
    session.connection().execute(_TOUCH, {"token_id": token_id, "now": now})


def resolve_token(session: Session, *, token: str, now: datetime) -> Principal | None:
    """The principal a bearer token acts for (look_up_token), its use recorded in the same
    transaction about once a minute."""
    use = look_up_token(session, token=token, now=now)
    if use is None:
        return None
    if use.touch_due and use.principal.token_id is not None:
        touch_token(session, token_id=use.principal.token_id, now=now)
    return use.principal
