"""Engine, sessions and migrations for SQLite (default) and PostgreSQL, through the same code."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Select, Table, event, insert, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import class_mapper
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, SQLModel, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # busy_timeout first: a second writer (and the pragmas below) wait instead of failing.
    cursor.execute("PRAGMA busy_timeout=10000")
    # WAL: readers never block the writer. Switching the journal mode needs the database to
    # itself; it is a property of the file, so only a file not yet in WAL is switched.
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    # synchronous=NORMAL is safe with WAL (a crash of the process loses nothing committed;
    # only a power cut may lose the last transactions) and saves an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(url: str) -> Engine:
    """One engine per URL per process; SQLite files get their pragmas on every connection."""
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _engines[url] = engine
    return engine


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One command, one transaction: commit if the block returns, roll back if it raises."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # '%' is alembic's interpolation character; a password may contain one.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration this code knows (read once per process from the scripts)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# --- writing rows without the unit of work ----------------------------------------------------
# A step writes a handful of rows; the ORM's unit of work costs far more than the statements
# themselves (bench/transitions.py). The hot path therefore builds its rows as model objects
# that are never added to the session, and writes them with these Core statements, which
# SQLAlchemy compiles once and caches.


M = TypeVar("M", bound=SQLModel)
_inserts: dict[str, ReturningInsert[tuple[int]]] = {}


def _field_plan(model: type[SQLModel]) -> tuple[Any, tuple[tuple[str, Any, Any, bool], ...]]:
    """What `build` needs of a model, looked up once per model and process: its class manager
    and, per field, (name, default, default factory, required)."""
    plan = _plans.get(model)
    if plan is None:
        plan = (class_mapper(model).class_manager, tuple(
            (name, field.default, field.default_factory, field.is_required())
            for name, field in model.model_fields.items()
        ))
        _plans[model] = plan
    return plan


_plans: dict[type[SQLModel], tuple[Any, tuple[tuple[str, Any, Any, bool], ...]]] = {}


def build(model: type[M], **values: Any) -> M:
    """A model object for a row the caller writes itself with `insert_rows`.

    Same attributes, defaults and reading as `model(**values)`, at a fraction of the cost:
    the constructor of a table model runs pydantic and SQLAlchemy's instrumentation for every
    field, which made object construction the largest cost of a step. The object starts
    detached and must not be added to a session (its instrumentation state is bare).
    """
    manager, fields = _field_plan(model)
    obj: M = manager.new_instance()
    state: dict[str, Any] = {}
    for name, default, factory, required in fields:
        if name in values:
            state[name] = values.pop(name)
        elif factory is not None:
            state[name] = factory()
        elif required:
            raise TypeError(f"{model.__name__} needs a value for {name}")
        else:
            state[name] = default
    if values:
        raise TypeError(f"{model.__name__} has no field(s) {', '.join(values)}")
    obj.__dict__.update(state)
    # What pydantic's own model_construct sets, so repr() and model_dump() work.
    object.__setattr__(obj, "__pydantic_fields_set__", set(state))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def fetch(
    session: Session, model: type[M], statement: Select[Any], params: dict[str, Any]
) -> list[M]:
    """Run a Core SELECT of `model`'s table and build detached objects from its rows.

    For the hot path: about a sixth of the cost of loading through the ORM, and the objects
    come back detached, ready to be changed in memory and written with Core statements.
    """
    rows = session.connection().execute(statement, params).mappings()
    return [build(model, **row) for row in rows]


def row_values(obj: SQLModel) -> dict[str, Any]:
    """The column values of a model object, for a Core INSERT (the id is left to the DB)."""
    names = _insert_columns.get(type(obj))
    if names is None:
        table: Table = obj.__table__  # type: ignore[attr-defined]
        names = tuple(c.name for c in table.columns if c.name != "id")
        _insert_columns[type(obj)] = names
    # A loaded or built object holds its values in __dict__; reading them there skips the
    # instrumented attribute, which a step pays for every column of every row it writes.
    held = obj.__dict__
    return {name: held[name] if name in held else getattr(obj, name) for name in names}


_insert_columns: dict[type[SQLModel], tuple[str, ...]] = {}


def insert_rows(session: Session, objects: Sequence[SQLModel], *, with_ids: bool = True) -> None:
    """INSERT objects of one model in one statement; with_ids sets their new ids on them."""
    if not objects:
        return
    table: Table = objects[0].__table__  # type: ignore[attr-defined]
    values = [row_values(o) for o in objects]
    if not with_ids:
        session.connection().execute(insert(table), values)
        return
    statement = _inserts.get(table.name)
    if statement is None:
        # Built once per table: building a statement costs more than running a cached one.
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        _inserts[table.name] = statement
    ids = session.connection().execute(statement, values).scalars()
    for obj, new_id in zip(objects, ids, strict=True):
        obj.id = new_id
