"""The intake's CLI tests run in a clean environment, as tests/cli's do (see its conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import dispose_engines
from tests.cli.conftest import PRODUCT_ENV


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in PRODUCT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    dispose_engines()
