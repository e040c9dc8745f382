"""Users of the quality team: add, list, disable, and check a password.

Keyword-only service functions in the caller's transaction, like the rest of the engine: the
CLI (`capa user ...`) and later the sign-in page call the same ones.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.accounts import throttle
from capaflow.accounts.passwords import hash_password, verify_password
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import AccountEvent, User
from capaflow.suppliers.registry import get_supplier

ROLES = ("quality_lead", "quality_manager", "viewer", "supplier", "service_agent",
         "service_manager")
# A supplier's account: sees and answers its own supplier's cases only (needs a supplier).
SUPPLIER_ROLE = "supplier"
# Who may change cases, suppliers, defects and lots; a viewer only reads.
WRITER_ROLES = frozenset({"quality_lead", "quality_manager"})
# Who reads supplier quality (the cases, their files and conversation, the supplier-quality
# pages): the writers and the viewers. The service desk's roles work elsewhere.
QUALITY_READER_ROLES = WRITER_ROLES | {"viewer"}
# Who reads a case's files and conversation: the quality team, and the case's own supplier
# (the shared part only, through accounts.scope).
CASE_READER_ROLES = QUALITY_READER_ROLES | {SUPPLIER_ROLE}
# The service desk (docs/architecture.md, "Service desk"): who takes requests in and steps
# them (and signs their close or cancel), and who also keeps the customer and people
# registers. The quality manager manages the desk too; a service role changes no 8D case
# (it is not a writer role), and every other role of the quality team only reads the desk.
SERVICE_ROLES = frozenset({"service_agent", "service_manager", "quality_manager"})
DESK_MANAGER_ROLES = frozenset({"service_manager", "quality_manager"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # scrypt hashes any length; a cap keeps a request from hashing megabytes


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadInput(f"role: '{role}' is not one of {', '.join(ROLES)}", field="role")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"password: at least {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise BadInput(f"password: at most {MAX_PASSWORD} characters", field="password")
    return password


def find_user(session: Session, name: str) -> User | None:
    if "\x00" in name:  # no name holds one, and PostgreSQL would refuse the query
        return None
    return session.exec(select(User).where(User.name == name)).first()


def get_user(session: Session, name: str) -> User:
    user = find_user(session, name)
    if user is None:
        raise NotFound(f"user '{name}' does not exist", field="user")
    return user


def add_user(
    session: Session, *, name: str, role: str, password: str, now: datetime,
    supplier_code: str | None = None,
) -> User:
    if not _NAME.match(name):
        raise BadInput(
            f"name: '{name}' must be 1-100 letters, digits, '.', '_', '@' or '-'", field="name"
        )
    check_role(role)
    supplier_id: int | None = None
    if role == SUPPLIER_ROLE:
        if supplier_code is None:
            raise BadInput("supplier: a supplier account needs its supplier (--supplier CODE)",
                           field="supplier")
        supplier_id = get_supplier(session, supplier_code).id
    elif supplier_code is not None:
        raise BadInput(f"supplier: only a '{SUPPLIER_ROLE}' account belongs to a supplier",
                       field="supplier")
    check_password(password)
    if find_user(session, name) is not None:
        raise Conflict(f"name: user '{name}' already exists", field="name")
    user = User(name=name, role=role, password_hash=hash_password(password), created_at=now,
                supplier_id=supplier_id)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.name))))


def disable_user(session: Session, *, name: str, now: datetime) -> User:
    """Disable a user: their tokens stop working at once (checked on every request)."""
    user = get_user(session, name)
    if user.disabled_at is not None:
        raise Conflict(f"user '{name}' is already disabled", field="name")
    user.disabled_at = now
    session.add(user)
    session.flush()
    return user


@functools.cache
def _decoy_hash() -> str:
    return hash_password("not-a-user-password")


def authenticate(
    session: Session, *, name: str, password: str, now: datetime, address: str | None = None,
) -> User | None:
    """The enabled user with this name and password, else None (never saying which was wrong).

    Throttled (accounts.throttle): TooManyAttempts while this name or `address` (the client's
    address) waits out its delay, AccountLocked for a locked account, before any password is
    checked; a miss is counted in a transaction of its own.
    """
    throttle.check(session, name=name, address=address, now=now)
    user = find_user(session, name)
    if user is None:
        # Check against a hash anyway, so a wrong name takes as long as a wrong password (one
        # scrypt run each) and names can't be told apart by timing.
        verify_password(password, _decoy_hash())
        throttle.failed(session.get_bind(), name=name, address=address, now=now)  # type: ignore[arg-type]
        return None
    if not verify_password(password, user.password_hash):
        throttle.failed(session.get_bind(), name=name, address=address, now=now)  # type: ignore[arg-type]
        return None
    if user.disabled_at is not None:
        return None
    throttle.succeeded(session, name=name)
    return user


# The account events a password change leaves (models.AccountEvent.kind).
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"


def _new_password(user: User, new: str, *, repeated: str | None) -> None:
    check_password(new)
    if repeated is not None and repeated != new:
        raise BadInput("repeat: the two new passwords differ", field="repeat")
    user.password_hash = hash_password(new)
    # Every session signed in before stops working (web.auth compares the generation on each
    # request): whoever still holds an old cookie must sign in with the new password.
    user.session_generation += 1


def change_password(
    session: Session, *, name: str, current: str, new: str, repeated: str | None = None,
    now: datetime,
) -> User:
    """A signed-in user changes their own password: the current one proves it is them.

    BadInput naming `current` for a wrong current password, `password` for a new one the
    rules refuse, `repeat` when the two new ones differ; nothing written then. Audited as an
    account event; the user's other sessions end (docs/architecture.md, "Master data").
    """
    user = get_user(session, name)
    if user.disabled_at is not None:
        raise Conflict(f"user '{name}' is disabled", field="name")
    # Counted like a sign-in and a signature: a session left open must not let anyone guess
    # the password behind it without limit (accounts.throttle).
    throttle.check(session, name=user.name, address=None, now=now)
    if not verify_password(current, user.password_hash):
        throttle.failed(session.get_bind(), name=user.name, address=None, now=now)  # type: ignore[arg-type]
        raise BadInput("current: that is not your current password", field="current")
    throttle.succeeded(session, name=user.name)
    if current == new:
        raise BadInput("password: the new password must differ from the current one",
                       field="password")
    _new_password(user, new, repeated=repeated)
    session.add(user)
    session.add(AccountEvent(user_name=user.name, kind=PASSWORD_CHANGED, actor=user.name,
                             at=now, detail="changed by the user; other sessions ended"))
    session.flush()
    return user


def reset_password(
    session: Session, *, name: str, new: str, actor: str, now: datetime,
) -> User:
    """An administrator sets a user's password (`capa user password NAME`), e.g. a forgotten
    one: audited with who reset it; every session of the user ends."""
    user = get_user(session, name)
    _new_password(user, new, repeated=None)
    session.add(user)
    session.add(AccountEvent(user_name=user.name, kind=PASSWORD_RESET, actor=actor, at=now,
                             detail="reset by an administrator; all sessions ended"))
    session.flush()
    return user


def writer_names(session: Session) -> list[str]:
    """The enabled users who may own supplier-quality work (WRITER_ROLES), by name."""
    return list(session.exec(
        select(User.name).where(col(User.role).in_(sorted(WRITER_ROLES)),
                                col(User.disabled_at).is_(None))
        .order_by(col(User.name))
    ))
