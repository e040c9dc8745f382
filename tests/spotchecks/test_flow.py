"""The weekly draw's flow function: last week's sample, once (docs/architecture.md, "Prefect
and Apprise at the edges": everything a flow does, a plain function does)."""

from __future__ import annotations

import pytest

from capaflow.flows.spotchecks import weekly_spotcheck_draw
from tests.spotchecks.support import AFTER_WEEK, WEEK, add_people, close_requests


def test_the_flow_draws_the_week_that_has_just_ended_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_people(sqlite_url)
    close_requests(sqlite_url, {"ann": 5, "ben": 3})
    monkeypatch.setenv("CAPA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAPA_NOW", AFTER_WEEK.isoformat())
    first = weekly_spotcheck_draw()
    assert (first["week"], first["closed_requests"], first["drawn"], first["already_drawn"]) == (
        WEEK, 8, 4, False)
    again = weekly_spotcheck_draw()
    assert again == {**first, "already_drawn": True}
