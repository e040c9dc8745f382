"""People who sign in, and the API tokens scripts and suppliers use (stored hashed)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from capaflow.models.types import UTCDateTime


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    role: str = Field(max_length=20)  # quality_lead, quality_manager, viewer, supplier
    # A supplier's own account (role "supplier"): it sees that supplier's cases, lots and
    # grades only.
    supplier_id: int | None = Field(default=None, foreign_key="suppliers.id", index=True)
    # A modern password hash with its parameters and salt in the string; never the password.
    password_hash: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Each web session carries the number it was started under; signing out counts it up,
    # so a copied cookie stops working at once, not only when it expires.
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ApiToken(SQLModel, table=True):
    """A bearer token for the API: bound to a user (their role) or to a supplier (their own
    cases, lots and grades only). The token is shown once; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    supplier_id: int | None = Field(default=None, foreign_key="suppliers.id", index=True)
    label: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AppSecret(SQLModel, table=True):
    """Keys the site signs with (session cookies, supplier links), made once and shared by
    every process that opens the database; CAPA_SECRET_KEY overrides it."""

    __tablename__ = "app_secrets"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)


class PasswordThrottle(SQLModel, table=True):
    """Wrong passwords counted per account ("account:NAME") or per address ("address:IP"):
    how many in a row, when the next try is allowed, and, for an account, whether it is
    locked. Rows, so every worker process counts the same misses (docs/architecture.md,
    "Rows, not timers")."""

    __tablename__ = "password_throttles"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(sa_type=UTCDateTime)
    # No try (right or wrong) is checked before this moment.
    wait_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # An account locked after too many misses; only a quality manager's unlock clears it.
    locked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountEvent(SQLModel, table=True):
    """What happened to an account that an auditor asks about: locked after too many wrong
    passwords (actor "system"), unlocked by a quality manager."""

    __tablename__ = "account_events"

    id: int | None = Field(default=None, primary_key=True)
    user_name: str = Field(max_length=100, index=True)
    kind: str = Field(max_length=20)  # locked, unlocked
    actor: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)
    detail: str = Field(default="", max_length=500)
