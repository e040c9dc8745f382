"""`capa demo`: eight simulated months show every rule of the engine at work."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from capaflow.audittrail.chain import verify
from capaflow.models import Case
from capaflow.models.db import get_engine
from tests.helpers import capa


def test_eight_months_show_reminders_escalations_a_reopen_and_a_closure(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = capa("demo", "--json", "--db", url)
    assert result.exit_code == 0, result.stderr
    timeline = json.loads(result.stdout)
    whats = [line["what"] for line in timeline]
    kinds = {line["kind"] for line in timeline}
    assert {"reminder", "escalation", "review", "defect", "step"} <= kinds
    assert any(w.startswith("escalation L3") for w in whats)
    assert any(w.startswith("REOPENED") for w in whats)
    assert any(w.startswith("closed by the sweep") for w in whats)
    assert any("follows case #1" in w for w in whats)
    assert timeline == sorted(timeline, key=lambda line: line["at"])
    with Session(get_engine(url)) as session:
        states = {c.id: c.state for c in session.exec(select(Case))}
        assert states[1] == "closed" and states[4] == "containment"
        assert verify(session).ok


def test_the_simulation_refuses_a_database_that_already_holds_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert capa("demo", "--json", "--db", url).exit_code == 0
    again = capa("demo", "--db", url)
    assert again.exit_code == 2 and "needs a new file" in again.stderr
