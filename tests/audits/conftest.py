from __future__ import annotations

import pytest

from capaflow.scorecards.policy import ScorecardPolicy
from tests.scorecards.support import LINE_ONLY, policy


@pytest.fixture
def line_only() -> ScorecardPolicy:
    return policy(LINE_ONLY)
