"""Alembic environment: migrates the database named in the config's sqlalchemy.url."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from capaflow import models  # noqa: F401  (registers every table on SQLModel.metadata)
from capaflow.models.db import get_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_migration_engine(url: str) -> Engine:
    """An engine whose transactions include DDL, as SQLAlchemy documents for pysqlite.

    pysqlite on its own commits before every CREATE/ALTER/DROP, so a migration failing half
    way would leave half a schema. Here the driver is put in autocommit mode and BEGIN is
    emitted by us, so a migration is all or nothing, as on PostgreSQL.
    """
    engine = create_engine(url, poolclass=NullPool, connect_args={"isolation_level": None})

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    sqlite = url.startswith("sqlite")
    engine = _sqlite_migration_engine(url) if sqlite else get_engine(url)
    with engine.connect() as connection:
        if sqlite:
            # Batch mode copies a table to alter it on SQLite; with foreign keys enforced, the
            # copy's DROP of the old table fails on every row that points at it. The pragma
            # only takes effect outside a transaction: set it on the driver connection before
            # SQLAlchemy begins one.
            driver = connection.connection.driver_connection
            driver.execute("PRAGMA busy_timeout=10000")  # type: ignore[union-attr]
            # The file is used in WAL mode (models.db); set it here, when it is created.
            driver.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
            driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        # Batch mode: SQLite cannot ALTER most things in place; alembic copies the table.
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        connection.commit()
    if sqlite:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
