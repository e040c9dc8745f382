"""A second SQLite database beside the test's own (a fresh copy of the same data)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from capaflow.models.db import dispose_engines


@pytest.fixture
def other_db(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    path = tmp_path / "other.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"
    dispose_engines()
