"""Fixtures of the review tests: the service desk's month of tests/servicedesk/report_data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servicedesk.report_data import DataSet, build
from tests.targets.support import incidents_by_month  # noqa: F401  (a fixture)


@pytest.fixture
def desk_month(db_url: str, tmp_path: Path) -> DataSet:
    return build(db_url, tmp_path)
