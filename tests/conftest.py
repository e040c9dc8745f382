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

import pytest
from sqlalchemy import create_engine, text
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


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    if not POSTGRES_URL:
        pytest.skip("CAPA_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)")
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


def _truncate_postgres(url: str) -> None:
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "capa.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        _truncate_postgres(url)
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
