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
