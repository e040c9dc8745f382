from __future__ import annotations

import pytest

from capaflow.deadlines.policy import DeadlinePolicy
from tests.reports.support import Story


@pytest.fixture
def story(db_url: str, policy: DeadlinePolicy) -> Story:
    story = Story(db_url, policy)
    story.supplier()
    return story
