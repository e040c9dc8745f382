"""The environment a command runs in: database, policy override file, routes file, clock.

One `Settings` object, read from `CAPA_*` environment variables; the CLI's own options
(`--db`, `--config`, `--now`) win over it.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAPA_", extra="ignore")

    # A SQLite file in the working directory, so a newcomer needs no server.
    database_url: str = "sqlite:///capaflow.db"
    # A TOML file whose keys override config/default.toml
    # (docs/architecture.md, "Configuration files").
    config: str | None = None
    routes: str = "config/routes.toml"
    # ISO-8601 with offset; unset means the real clock (calendars.clock.resolve_now).
    now: str | None = None
    # The key that signs session cookies and supplier links. Unset: one is made at first use
    # and kept in the database (accounts.secrets), so every process of a site shares it.
    secret_key: str | None = None
    # Where people reach the web app; the links in notices start with it.
    base_url: str = "http://127.0.0.1:8000"
    # Send the session cookie over HTTPS only. Off by default because `make run` serves plain
    # HTTP on 127.0.0.1; turn it on behind a TLS proxy.
    https_only: bool = False
