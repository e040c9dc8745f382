"""The figures the monthly review reads (docs/architecture.md, "Service quality control"):
the mean inspection score of a month, open findings with their due time and late flag, and
failed items by 5M1E factor; and a finding's fix chased by the sweep like any deadline."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from capaflow.models.db import get_engine
from capaflow.standards.figures import failed_by_factor, inspection_score, open_findings
from tests.cli.support import ok
from tests.conftest import T0
from tests.standards.support import result_args

D = timedelta(days=1)


def _record(db_url: str, at_days: int, **failed: str) -> dict[str, object]:
    at = T0 + at_days * D
    round_id = ok(db_url, "round", "open", "--department", "field_service", "--position",
                  "technician", "--inspector", "Ines", now=at)["id"]
    recorded: dict[str, object] = ok(db_url, "round", "record", str(round_id),
                                     *result_args(**failed), now=at)
    return recorded


def test_figures_of_a_month_score_open_findings_and_factors(field_service: str) -> None:
    db = field_service
    _record(db, 0)  # 100
    _record(db, 1, FS_02="fail")  # 12/13
    _record(db, 2, FS_03="fail")  # critical: 0
    _record(db, 40, FS_04="fail")  # next month
    march, april = T0.replace(day=1), T0.replace(month=4, day=1)
    with Session(get_engine(db)) as session:
        assert inspection_score(session, "field_service", march, april) == round(
            (100 + 100 * 12 / 13 + 0) / 3, 2)
        assert inspection_score(session, "back_office", march, april) is None
        factors = failed_by_factor(session, "field_service", march, april)
        assert factors["people"] == 1 and factors["environment"] == 1
        assert factors["measurement"] == 0 and set(factors) == {
            "people", "machines", "materials", "methods", "environment", "measurement"}
        assert failed_by_factor(session, None, march, T0 + 60 * D)["measurement"] == 1
        at = T0 + 20 * D  # past the 14-day fix of March's two findings
        found = open_findings(session, "field_service", at)
        assert [(f.item_code, f.late) for f in found] == [("FS-02", True), ("FS-03", True)]
        early = open_findings(session, None, T0 + 5 * D)
        assert [(f.item_code, f.late) for f in early] == [("FS-02", False), ("FS-03", False)]


def test_an_overdue_fix_is_escalated_by_the_sweep(field_service: str) -> None:
    db = field_service
    finding = _record(db, 0, FS_02="fail")["findings"]
    assert isinstance(finding, list)
    finding_id = finding[0]["id"]
    ok(db, "sweep", now=T0 + 20 * D)
    notices = ok(db, "notify", "list", now=T0 + 20 * D)
    rows = notices["notifications"] if isinstance(notices, dict) else notices
    escalated = [n for n in rows if n["case"] == finding_id and n["escalation_level"] >= 1]
    assert escalated, [(n["case"], n["kind"], n["escalation_level"]) for n in rows]
