"""Password guessing: wrong passwords counted per account and per address, a growing wait
between tries, and a lockout that only a quality manager lifts.

Every password check (the sign-in page, the password re-entry of a signed decision) asks
`check` first and reports a miss with `failed` or a match with `succeeded`:

- after `throttle_after` misses in a row, an account (or an address) waits before its next
  try is checked at all: `throttle_base_delay` seconds, doubling with each further miss, up to
  `throttle_max_delay` (TooManyAttempts, HTTP 429). An address's count starts again after
  `throttle_reset` without a miss; an account's only at its right password;
- after `lockout_after` misses in a row an existing account is locked (AccountLocked, HTTP
  403): its right password is refused too, until `unlock`. Each lockout is an account event
  row and a notice to the quality manager.

The counts are rows (docs/architecture.md, "Rows, not timers"), so the worker processes of a
site count the same misses, and a miss is written in a transaction of its own: the request
that reports it is refused and rolled back, and its count must stay. Another account's right
password, from any address that is not itself waiting, is checked as before.

The policy is the process's own copy of `[security]`, set when the runtime starts
(`set_throttle_policy`, docs/architecture.md, "Composition"); the defaults are default.toml's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from capaflow.calendars import isoformat
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import AccountEvent, Notification, PasswordThrottle, User
from capaflow.models.db import session_scope

ACCOUNT, ADDRESS = "account:", "address:"
SYSTEM = "system"
QUALITY_MANAGER = "quality_manager"


@dataclass(frozen=True)
class ThrottlePolicy:
    throttle_after: int = 3
    base_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(seconds=300)
    reset: timedelta = timedelta(seconds=3600)
    lockout_after: int = 10

    def wait(self, failures: int) -> timedelta | None:
        """How long to wait after this many misses in a row (None: not yet)."""
        if failures < self.throttle_after:
            return None
        doublings = min(failures - self.throttle_after, 30)  # 2**30 s is past any ceiling
        wait: timedelta = min(self.base_delay * (2**doublings), self.max_delay)
        return wait


_policy = ThrottlePolicy()


def set_throttle_policy(policy: ThrottlePolicy) -> None:
    global _policy
    _policy = policy


def throttle_policy() -> ThrottlePolicy:
    return _policy


class TooManyAttempts(BadInput):
    """Too many wrong passwords from this account or address: try again after a wait (HTTP
    429). Nothing was checked: not even the right password gets in before the wait ends."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int, field: str | None = "password"):
        super().__init__(message, field=field)
        self.retry_after = retry_after


class AccountLocked(BadInput):
    """The account is locked after too many wrong passwords (HTTP 403) until a quality
    manager unlocks it; the right password is refused too."""

    code = "account_locked"


def _keys(name: str, address: str | None) -> list[str]:
    keys = [f"{ACCOUNT}{name[:150]}"]
    if address:
        keys.append(f"{ADDRESS}{address[:150]}")
    return keys


def _row(session: Session, key: str) -> PasswordThrottle | None:
    return session.exec(select(PasswordThrottle).where(PasswordThrottle.key == key)).first()


def check(session: Session, *, name: str, address: str | None, now: datetime) -> None:
    """Refuse before any password is checked: a locked account, or an account or address
    still waiting out its delay."""
    for key in _keys(name, address):
        row = _row(session, key)
        if row is None:
            continue
        if row.locked_at is not None:
            raise AccountLocked(
                "password: this account is locked after too many wrong passwords; ask a "
                "quality manager to unlock it", field="password")
        if row.wait_until is not None and row.wait_until > now:
            seconds = max(1, int((row.wait_until - now).total_seconds() + 0.999))
            whom = "this account" if key.startswith(ACCOUNT) else "this address"
            raise TooManyAttempts(
                f"password: too many wrong passwords from {whom}; try again in {seconds} s",
                retry_after=seconds)


def _count(session: Session, key: str, *, now: datetime, decays: bool) -> PasswordThrottle:
    """One more miss on `key`, counted in the database (two workers' misses both count)."""
    policy = _policy
    failures = col(PasswordThrottle.failures) + 1
    if decays:  # an address's count starts again after `reset` without a miss
        stale = col(PasswordThrottle.last_failure_at) < now - policy.reset
        failures = case((stale, 1), else_=failures)
    bump = (
        update(PasswordThrottle)
        .where(col(PasswordThrottle.key) == key)
        .values(failures=failures, last_failure_at=now)
    )
    if session.exec(bump).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(PasswordThrottle(key=key, failures=1, last_failure_at=now))
        except IntegrityError:  # another worker's first miss on it landed first
            session.exec(bump)
    row = _row(session, key)
    assert row is not None
    session.refresh(row)
    return row


def failed(engine: Engine, *, name: str, address: str | None, now: datetime) -> None:
    """A wrong password for `name` from `address`, in a transaction of its own: the wait it
    earns, and the lockout of an existing account at `lockout_after` misses."""
    policy = _policy
    with session_scope(engine) as session:
        for key in _keys(name, address):
            row = _count(session, key, now=now, decays=key.startswith(ADDRESS))
            wait = policy.wait(row.failures)
            if wait is not None:
                row.wait_until = now + wait
            if (key.startswith(ACCOUNT) and row.locked_at is None
                    and row.failures >= policy.lockout_after):
                user = session.exec(select(User).where(User.name == name)).first()
                if user is not None:
                    row.locked_at = now
                    _locked(session, user=user, failures=row.failures, now=now)
            session.add(row)


def _locked(session: Session, *, user: User, failures: int, now: datetime) -> None:
    detail = f"locked after {failures} wrong passwords in a row"
    session.add(AccountEvent(user_name=user.name, kind="locked", actor=SYSTEM, at=now,
                             detail=detail))
    session.add(Notification(
        dedupe_key=f"account_locked:{user.name}:{isoformat(now)}"[:200],
        kind="account_locked", audience=[QUALITY_MANAGER],
        subject=f"Account {user.name} locked after {failures} wrong passwords",
        body=(f"The account {user.name} ({user.role}) was locked at {isoformat(now)} after "
              f"{failures} wrong passwords in a row: someone may be guessing it. It stays "
              f"locked until a quality manager runs `capa user unlock {user.name} --by NAME`."),
        created_at=now, next_attempt_at=now,
    ))


def succeeded(session: Session, *, name: str) -> None:
    """The right password: the account's count starts again (an address's count only decays,
    so one good account does not buy an address more guesses at others)."""
    row = _row(session, f"{ACCOUNT}{name[:150]}")
    if row is not None and row.locked_at is None:
        session.delete(row)


def is_locked(session: Session, name: str) -> bool:
    row = _row(session, f"{ACCOUNT}{name[:150]}")
    return row is not None and row.locked_at is not None


def unlock(session: Session, *, name: str, by: str, now: datetime) -> User:
    """Lift the lockout of `name`: `by` must be an enabled quality manager's account. The
    account's count starts again, and the unlock is an account event."""
    manager = session.exec(select(User).where(User.name == by)).first()
    if manager is None or manager.disabled_at is not None or manager.role != QUALITY_MANAGER:
        raise BadInput(f"by: '{by}' is not an enabled quality manager's account", field="by")
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound(f"user '{name}' does not exist", field="name")
    row = _row(session, f"{ACCOUNT}{name[:150]}")
    if row is None or row.locked_at is None:
        raise Conflict(f"name: user '{name}' is not locked", field="name")
    session.delete(row)
    session.add(AccountEvent(user_name=name, kind="unlocked", actor=manager.name, at=now,
                             detail=f"unlocked by {manager.name}"))
    session.flush()
    return user
