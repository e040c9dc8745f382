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

from sqlmodel import Session, select

from accounts.users import WRITER_ROLES, get_user
from calendars import as_utc
from errors import BadInput, Conflict, NotFound
from models import ApiToken, Supplier, User
from suppliers.registry import get_supplier

SUPPLIER = "supplier"
# Touching last_used_at on every request would turn every read into a write (and, on SQLite,
# serialise all readers behind one writer); once a minute is precise enough to spot a stale
# token.
_TOUCH_EVERY = timedelta(minutes=1)
_MAX_TOKEN = 200  # token_urlsafe(32) is 43 characters; anything far longer is not ours


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


def _check_label(label: str | None) -> str | None:
    if label is None or not label.strip():
        return None
    if len(label.strip()) > 100:
        raise BadInput("label: at most 100 characters", field="label")
    return label.strip()


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
    row = ApiToken(label=_check_label(label), created_at=now, token_hash="")
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


def resolve_token(session: Session, *, token: str, now: datetime) -> Principal | None:
    """The principal a bearer token acts for; None for an unknown or revoked token, a disabled
    user, or a supplier that no longer exists (the caller answers 401, saying no more)."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
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
    if principal is not None and (
        row.last_used_at is None or as_utc(row.last_used_at) + _TOUCH_EVERY <= now
    ):
        row.last_used_at = now
        session.add(row)
    return principal
