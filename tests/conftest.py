"""Shared fixtures: a real SQLite file and a real PostgreSQL server, the policies, a clock.

`db_url` runs a test once per backend. PostgreSQL comes from CAPA_TEST_POSTGRES_URL (CI's
.ci/run starts a server and sets it); without it those runs are skipped, never faked.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from capaflow import models  # noqa: F401  (registers the tables)
from capaflow.accounts import users as account_users
from capaflow.accounts.passwords import hash_password
from capaflow.config import load_policies
from capaflow.deadlines.policy import DeadlinePolicy, load_policy
from capaflow.models.db import dispose_engines, get_engine, upgrade

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning

POSTGRES_URL = os.environ.get("CAPA_TEST_POSTGRES_URL")
# What a developer's shell (or `make test`) may export; each would silently change what a
# command without the option does.
PRODUCT_ENV = ("CAPA_DATABASE_URL", "CAPA_NOW", "CAPA_CONFIG", "CAPA_ACTOR", "CAPA_ROUTES")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every test starts without CAPA_* settings, in an empty working directory (where the
    default SQLite file and config/routes.toml would be looked for)."""
    for name in PRODUCT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    # Tests that open their own URLs (an empty file, a second database) leave engines behind.
    dispose_engines()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating costs ~0.3 s)."""
    path = tmp_path_factory.mktemp("template") / "capa.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    get_engine(url).dispose()
    return path


def _worker_database(base_url: str, worker: str) -> str:
    """The URL of a database of this xdist worker's own on the same server: `<base>_<worker>`
    (capa_gw0, capa_gw1, ...), created afresh. Workers run at once, and each test truncates
    every table, so they can no more share a database than a SQLite file."""
    base = make_url(base_url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # WITH (FORCE): a run that was killed may have left a connection behind.
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_worker_database(base_url: str, url: str) -> None:
    dispose_engines()
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("CAPA_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:  # one process: the database named, emptied
        url = POSTGRES_URL
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = _worker_database(POSTGRES_URL, worker)
    upgrade(url)
    yield url
    if worker is not None:
        _drop_worker_database(POSTGRES_URL, url)


# Every sequence of the schema back to 1, as TRUNCATE ... RESTART IDENTITY did.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _empty_postgres(url: str) -> None:
    """Every table emptied and every id sequence restarted, as a fresh database would be.
    DELETE, children before parents, rather than TRUNCATE: a test leaves a handful of rows,
    and TRUNCATE of all the tables cost ~0.1-0.5 s a test (it swaps every table's files),
    DELETE a fraction of that."""
    with get_engine(url).begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(_RESTART_SEQUENCES)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "capa.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        _empty_postgres(url)
    yield url
    dispose_engines()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """SQLite only, for tests about SQLite itself or too slow to run twice."""
    path = tmp_path / "capa.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"
    dispose_engines()


@pytest.fixture
def engine(db_url: str) -> Engine:
    return get_engine(db_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    # Steps write with Core statements, behind the ORM's identity map: expiring on commit
    # makes every read after a step see the database, as a new command would.
    with Session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def policy() -> DeadlinePolicy:
    return load_policy(load_policies())


@functools.cache
def _hash_once(password: str) -> str:
    return hash_password(password)


@pytest.fixture
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixtures that add the same few users to every test hash each password once per run
    (scrypt is slow on purpose: ~0.1 s a hash). Signing in still verifies against the real
    scrypt hash; only the salt is shared between tests."""
    monkeypatch.setattr(account_users, "hash_password", _hash_once)


# The longest tests (a wheel and a venv, the schema fuzz, a Prefect server, a browser, served
# workers), first: spread over the xdist workers at the start rather than left for the end,
# where one worker would run them while the other idles.
_LONG_MODULES = {"tests.api.test_fuzz", "tests.flows.test_flows"}


# Tests that drive an interface (the CLI, the API, the pages, the fuzzers) run on SQLite
# only: below them are the same service functions and the same SQL, which the services' own
# tests run on both backends. A test of an interface whose answer depends on the backend (a
# conflict the database detects, served workers sharing it) is marked `postgres` and runs on
# both. README.md, "Two commands".
_INTERFACE_FOLDERS = ("api", "web", "cli")
_INTERFACE_MODULES = ("_pages", "_page", "_fuzz", "test_fuzz", "_api", "_routes", "_cli",
                      "_commands")


def _drives_an_interface(item: pytest.Item) -> bool:
    parts = item.path.relative_to(Path(__file__).parent).parts
    if parts[0] in _INTERFACE_FOLDERS:
        return True
    return any(part in item.path.stem for part in _INTERFACE_MODULES)


def _postgres_not_needed(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None or callspec.params.get("db_url") != "postgres":
        return False
    if os.environ.get("CAPA_TEST_EVERY_BACKEND"):
        return False
    return item.get_closest_marker("postgres") is None and _drives_an_interface(item)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skipped = [item for item in items if _postgres_not_needed(item)]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if not _postgres_not_needed(item)]
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return  # one process: the order as written

    def long_first(item: pytest.Item) -> int:
        module = getattr(item, "module", None)
        slow = item.get_closest_marker("slow") is not None
        return 0 if slow or getattr(module, "__name__", "") in _LONG_MODULES else 1

    items.sort(key=long_first)  # stable: the same order on every worker


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (never a downloaded browser:
    README.md, "Dependencies"); skipped where it is not installed (.ci/run installs it)."""
    from playwright.sync_api import sync_playwright

    from tests.web.live import CHROMIUM_FLAGS, chromium_path

    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True,
                                              args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
