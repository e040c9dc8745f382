"""The 8D KPIs computed from the audit events and deadline rows of known cases, each figure
worked out by hand (casework.kpis: cycle time per discipline, on-time share per supplier,
ageing of open cases)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from capaflow.casework.engine import advance, open_case
from capaflow.casework.kpis import kpi_report
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.documents.kpis import kpi_csv, kpi_document, kpi_markdown
from capaflow.errors import BadInput
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

H = timedelta(hours=1)
D = timedelta(days=1)
NOW = T0 + 20 * D
ROOT_CAUSE = {"root_cause": "worn die", "escape_point": "no burr check", "category": "machine"}


def _open(session: Session, policy: DeadlinePolicy, supplier: str, at: datetime) -> int:
    result = open_case(
        session, lifecycle="8d", title="Burr", supplier_code=supplier, part="BRK-1",
        defect_code=f"BURR-{at.isoformat()}", severity="major", complex_cause=False,
        owner="lena", team="lena", problem="Sharp burr", actor="lena", now=at, policy=policy)
    assert result.case.id is not None
    return result.case.id


def _step(session: Session, policy: DeadlinePolicy, case_id: int, trigger: str, at: datetime,
          **fields: str) -> None:
    advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None, actor="lena",
            now=at, policy=policy)


@pytest.fixture
def known_cases(session: Session, policy: DeadlinePolicy) -> None:
    for code in ("ACME", "BOLTCO"):
        add_supplier(session, code=code, name=f"{code} Ltd", contact="json://127.0.0.1:9/x",
                     quality_head=None, executive=None, now=T0 - 200 * D)
    # A: every step on time. Containment 20 h, root cause 2 d 4 h, short-term 1 d, long-term 5 d.
    a = _open(session, policy, "ACME", T0)
    _step(session, policy, a, "contain", T0 + 20 * H, containment="sorted")
    _step(session, policy, a, "find_root_cause", T0 + 3 * D, **ROOT_CAUSE)
    _step(session, policy, a, "apply_short_term_fix", T0 + 4 * D, short_term_fix="deburr")
    _step(session, policy, a, "implement_countermeasure", T0 + 9 * D, countermeasure="regrind")
    # B: containment 2 d (late), root cause 4 d (late), then nothing: D5 and D6 missed.
    b = _open(session, policy, "ACME", T0)
    _step(session, policy, b, "contain", T0 + 2 * D, containment="sorted")
    _step(session, policy, b, "find_root_cause", T0 + 6 * D, **ROOT_CAUSE)
    # C: containment 3 d (late), root cause missed.
    c = _open(session, policy, "BOLTCO", T0)
    _step(session, policy, c, "contain", T0 + 3 * D, containment="sorted")
    # D: opened 5 days before now, containment missed (due T0 + 16 d).
    _open(session, policy, "BOLTCO", T0 + 15 * D)
    # E: opened 100 days before now, still in containment: ageing only.
    _open(session, policy, "BOLTCO", T0 - 80 * D)
    # F: cancelled after a day in containment: no sample, no deadline, not open.
    f = _open(session, policy, "ACME", T0 + D)
    _step(session, policy, f, "cancel", T0 + 2 * D, reason="duplicate")
    session.commit()


def test_cycle_time_per_discipline_is_median_and_nearest_rank_90th_percentile_of_stays(
    session: Session, known_cases: None
) -> None:
    report = kpi_report(session, start=T0 - D, end=T0 + 30 * D, now=NOW)
    times = {t.discipline: (t.samples, t.median_days, t.p90_days) for t in report.cycle_times}
    # Containment: 20 h, 2 d, 3 d (F's cancelled stay is no sample) → median 2, p90 the 3rd.
    assert times["containment"] == (3, 2.0, 3.0)
    # Root cause: 2 d 4 h and 4 d → median their mean 3.0833, p90 the 2nd (⌈1.8⌉).
    samples, middle, p90 = times["root_cause"]
    assert (samples, round(middle or 0, 4), p90) == (2, round((2 + 4 / 24 + 4) / 2, 4), 4.0)
    assert times["short_term_fix"] == (1, 1.0, 1.0)
    assert times["long_term_countermeasure"] == (1, 5.0, 5.0)
    assert times["effectiveness_tracking"] == (0, None, None)


def test_on_time_share_counts_met_on_time_met_late_and_missed_per_supplier(
    session: Session, known_cases: None
) -> None:
    report = kpi_report(session, start=T0 - D, end=T0 + 30 * D, now=NOW)
    counted = {s.supplier: (s.on_time, s.late, s.missed) for s in report.on_time}
    # ACME: A's four on time; B's containment and root cause late, D5 and D6 missed.
    # BOLTCO: C's containment late and root cause missed, D's containment missed; E's
    # containment fell due before the window.
    assert counted == {"ACME": (4, 2, 2), "BOLTCO": (0, 1, 2)}
    acme = next(s for s in report.on_time if s.supplier == "ACME")
    assert acme.on_time_share == 0.5


def test_ageing_buckets_open_cases_by_days_since_opening_cancelled_ones_left_out(
    session: Session, known_cases: None
) -> None:
    report = kpi_report(session, start=None, end=None, now=NOW)
    assert [(b.label, b.open_cases) for b in report.ageing] == [
        ("0–7 days", 1), ("8–30 days", 3), ("31–90 days", 0), ("over 90 days", 1)]


def test_the_document_csv_and_markdown_carry_the_same_figures(
    session: Session, known_cases: None
) -> None:
    document = kpi_document(kpi_report(session, start=T0 - D, end=T0 + 30 * D, now=NOW))
    assert document.as_json()["on_time"][0] == {
        "supplier": "ACME", "name": "ACME Ltd", "on_time": 4, "met_late": 2, "missed": 2,
        "counted": 8, "on_time_share": 0.5}
    lines = kpi_csv(document).splitlines()
    assert lines[0].startswith("section,name,title")
    assert "on_time,ACME,ACME Ltd,8,,,4,2,2,0.5" in lines
    assert "| Containment (D3) | 3 | 2 | 3 |" in kpi_markdown(document)


def test_a_window_that_ends_before_it_starts_is_refused_naming_from(session: Session) -> None:
    with pytest.raises(BadInput) as refused:
        kpi_report(session, start=T0, end=T0 - D, now=NOW)
    assert refused.value.field == "from"
