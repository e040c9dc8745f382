"""The monthly round-plan flow's function: now's month by default, its rounds opened once
(planning itself is tested in tests/standards/test_rounds.py)."""

from __future__ import annotations

import pytest

from capaflow.flows.round_plan import plan_rounds


def test_the_flow_opens_the_months_rounds_once(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAPA_NOW", "2026-05-01T05:00:00+00:00")
    first = plan_rounds()
    assert first["month"] == "2026-05" and len(first["opened"]) == 2
    assert first["existing"] == 0
    again = plan_rounds()
    assert again == {"month": "2026-05", "opened": [], "existing": 2}
    assert len(plan_rounds("2026-06")["opened"]) == 2
