"""`capa demo` shows an incident from declaration to review and a drill in February
(demo/incidents.py), beside the 8D cases and the service desk."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, col, select

from capaflow.models import Incident
from capaflow.models.db import get_engine
from tests.helpers import capa


def test_the_demo_month_has_an_incident_reviewed_and_a_drill(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = capa("demo", "--json", "--db", url, "--months", "2")
    assert result.exit_code == 0, result.stderr
    whats = [line["what"] for line in json.loads(result.stdout)]
    assert any(w.startswith("incident declared: power_outage S2") for w in whats)
    assert any(w.startswith("drill declared: data_breach S2") for w in whats)
    # Step 2 was late: the incidents' ladder told the owner and the service manager.
    assert any(w.startswith("escalation L1 → owner, service manager: OVERDUE level 1: Step 2")
               for w in whats)
    with Session(get_engine(url)) as session:
        incidents = session.exec(select(Incident).order_by(col(Incident.case_id))).all()
        assert [(i.type, i.drill, i.factor) for i in incidents] == [
            ("power_outage", False, "methods"), ("data_breach", True, None)]
        assert incidents[0].corrective_case_id is not None
