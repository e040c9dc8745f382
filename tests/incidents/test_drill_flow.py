"""The drill reminders' flow function (flows.incident_drills): every plan never drilled is
reminded once, however often the flow runs (the drill clock itself: test_incident_cli.py)."""

from __future__ import annotations

import pytest

from capaflow.flows.incident_drills import remind_drills


def test_the_flow_reminds_each_due_drill_once_per_period(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAPA_NOW", "2026-12-07T08:00:00+00:00")
    assert remind_drills() == {"reminded": ["data_breach", "power_outage"]}
    assert remind_drills() == {"reminded": []}
