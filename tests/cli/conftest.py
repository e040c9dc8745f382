"""CLI tests run as a user would type the commands, in a clean environment.

A developer's shell (or `make test`) may export CAPA_DATABASE_URL, CAPA_NOW or CAPA_CONFIG;
those would silently change what a command without the option does, so every test here starts
without them and in an empty working directory (where the default SQLite file would land).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import dispose_engines

PRODUCT_ENV = ("CAPA_DATABASE_URL", "CAPA_NOW", "CAPA_CONFIG", "CAPA_ACTOR", "CAPA_ROUTES")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in PRODUCT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    # Tests that open their own URLs (an empty file, a second database) leave engines behind.
    dispose_engines()
