"""The standards tests start from the example standard imported and a lead on the field
service team (who owns the department's findings by default)."""

from __future__ import annotations

import pytest

from tests.cli.support import ok
from tests.conftest import T0
from tests.standards.support import EXAMPLE


@pytest.fixture
def field_service(db_url: str) -> str:
    ok(db_url, "standard", "import", str(EXAMPLE), now=T0)
    ok(db_url, "person", "add", "Maria", "--team", "field", "--lead", now=T0)
    return db_url
