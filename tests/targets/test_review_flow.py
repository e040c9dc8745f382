"""The monthly review flow's function: on the 1st it closes the month just ended, keeping
its figures and opening the cycle of the desk month's field attainment (missed in October and
November), once; the flow itself is a thin wrapper (docs/architecture.md, "Prefect and
Apprise at the edges")."""

from __future__ import annotations

from pathlib import Path

import pytest

from capaflow.flows.review import monthly_review_close
from tests.servicedesk.report_data import build


def test_the_flow_closes_the_month_just_ended_once(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = build(sqlite_url, tmp_path)
    monkeypatch.setenv("CAPA_DATABASE_URL", data.url)
    monkeypatch.setenv("CAPA_CONFIG", data.config)
    # 1 December 07:00, as the schedule runs it: November is closed.
    monkeypatch.setenv("CAPA_NOW", "2026-12-01T07:00:00+00:00")
    first = monthly_review_close()
    assert (first["month"], first["kept"]) == ("2026-11", 18)
    assert [(c["department"], c["indicator"]) for c in first["opened"]] == [
        ("field_service", "sla_attainment")]
    again = monthly_review_close()
    assert (again["kept"], again["opened"]) == (0, [])
