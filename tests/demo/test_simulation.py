"""`capa demo`: eight simulated months show every rule of the engine at work."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, col, select

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
        cases = session.exec(select(Case).where(Case.lifecycle == "8d")).all()
        states = {c.id or 0: c.state for c in cases}
        # The recurrence after case 1's closure is the newest 8D case, still in containment.
        assert states[1] == "closed" and states[max(states)] == "containment"
        assert verify(session).ok


def test_a_month_of_the_service_desk_runs_beside_the_8d_cases(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = capa("demo", "--json", "--db", url, "--months", "3")
    assert result.exit_code == 0, result.stderr
    whats = [line["what"] for line in json.loads(result.stdout)]
    assert any(w.startswith("service request from HOTEL-SUN (key): claim S2") for w in whats)
    assert any("absent: ann" in w for w in whats)
    assert any(w.startswith("hold (") for w in whats) and any(w.startswith("resume (")
                                                                for w in whats)
    assert any(w.startswith("escalation L2 → service manager") for w in whats)
    assert any(w.startswith("escalation L3 → director") for w in whats)
    assert any(w.startswith("REOPENED by the customer at follow-up") for w in whats)
    assert any(w == "close (outcome: solved)" for w in whats)
    assert any(w == "request closed by the sweep: no response" for w in whats)
    with Session(get_engine(url)) as session:
        # The desk's month of February (March adds the requests the spot-checks draw from).
        service = session.exec(select(Case).where(Case.lifecycle == "service")
                               .where(col(Case.title).notlike("Dryer % not heating"))).all()
        assert len(service) == 4 and {c.state for c in service} == {"closed"}
        assert verify(session).ok


def test_march_shows_three_level_checks_with_rework_and_a_reviewed_spot_check_draw(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = capa("demo", "--json", "--db", url, "--months", "3")
    assert result.exit_code == 0, result.stderr
    whats = [line["what"] for line in json.loads(result.stdout)]
    assert "work item: Install boiler, Hotel Sun (field), three-level checks owed" in whats
    assert any(w.startswith("fail_check (result: fail; by: olga") for w in whats)
    assert sum(w.startswith("spot-check drawn for 2026-W10") for w in whats) >= 2
    assert any(w.startswith("review (score: ") and "failed_items" in w for w in whats)
    with Session(get_engine(url)) as session:
        [item] = session.exec(select(Case).where(Case.lifecycle == "work_item")).all()
        assert item.state == "self_checked"  # back from rework, checked again by its team
        assert verify(session).ok


def test_the_simulation_refuses_a_database_that_already_holds_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert capa("demo", "--json", "--db", url).exit_code == 0
    again = capa("demo", "--db", url)
    assert again.exit_code == 2 and "needs a new file" in again.stderr
