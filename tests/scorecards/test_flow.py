"""The monthly flow's work, called directly (no Prefect server needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from capaflow.config import load_policies
from capaflow.flows.deployments import schedules
from capaflow.flows.scorecard import monthly_scorecard
from capaflow.models import Scorecard
from tests.scorecards.support import PIECES_FOR, defect, mid, supplier


def test_the_monthly_run_grades_the_month_before_now_by_default(
    db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch,
) -> None:
    acme = supplier(session)
    defect(session, acme, mid("2026-02"), PIECES_FOR["C"])
    monkeypatch.setenv("CAPA_DATABASE_URL", db_url)
    monkeypatch.setenv("CAPA_NOW", datetime(2026, 3, 1, 6, tzinfo=UTC).isoformat())
    summary = monthly_scorecard()
    assert summary["month"] == "2026-02"
    assert summary["graded"] == 1
    stored = session.exec(select(Scorecard)).one()
    assert stored.month == "2026-02"
    # A named month is graded instead; running it again fires nothing new.
    assert monthly_scorecard("2026-01")["month"] == "2026-01"
    assert monthly_scorecard("2026-01")["escalations"] == {}


def test_the_scorecard_runs_on_the_first_of_each_month_by_config() -> None:
    assert load_policies()["schedules"]["scorecard"] == "0 6 1 * *"
    assert schedules().scorecard == "0 6 1 * *"
