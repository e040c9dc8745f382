"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from models.db import alembic_config, get_engine, upgrade


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    # `alembic check` autogenerates a diff and fails if a model changed without a migration.
    command.check(alembic_config(db_url))


def test_upgrade_is_safe_to_run_twice(db_url: str) -> None:
    upgrade(db_url)
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"suppliers", "cases", "case_events", "deadlines", "notifications",
            "defect_events"} <= tables


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
