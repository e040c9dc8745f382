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
    # A TOML file whose keys override config/default.toml (DESIGN.md §4).
    config: str | None = None
    routes: str = "config/routes.toml"
    # ISO-8601 with offset; unset means the real clock (calendars.clock.resolve_now).
    now: str | None = None
