"""`capa review month` (read only) and `capa review close-month` (keeps the figures, opens
the cycles) on the desk month of tests/servicedesk/report_data, and their refusals: each
names its field, exits 2 and writes nothing (docs/architecture.md, "Service quality
control")."""

from __future__ import annotations

import pytest

from tests.cli.support import refused
from tests.helpers import capa, capa_json, snapshot
from tests.servicedesk.report_data import MONTH, REPORT_NOW, DataSet
from tests.targets.support import indicator, review_of


def args(data: DataSet, *more: str) -> list[str]:
    return [*more, "--db", data.url, "--config", data.config, "--now", REPORT_NOW.isoformat()]


def test_review_month_prints_the_services_review_and_writes_nothing(
        desk_month: DataSet) -> None:
    before = snapshot(desk_month.url)
    document = capa_json(*args(desk_month, "review", "month", MONTH))
    assert document == review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config)
    assert document["closed"] is False
    markdown = capa(*args(desk_month, "review", "month", MONTH)).stdout
    assert "# Service quality review 2026-11" in markdown
    assert "| SLA attainment | 75.0 % | ≥ 85.0 % | missed |" in markdown
    assert "missed twice running: closing the month opens a PDCA cycle" in markdown
    table = capa(*args(desk_month, "review", "month", MONTH, "--format", "csv")).stdout
    assert table.splitlines()[0] == "department,indicator,month,value,target,met,rule"
    assert "field_service,sla_attainment,2026-11,0.75,0.85,False,cycle_due" in table
    assert snapshot(desk_month.url) == before


def test_close_month_opens_the_cycle_of_the_indicator_missed_twice(desk_month: DataSet) -> None:
    closed = capa_json(*args(desk_month, "review", "close-month", MONTH))
    # field_service's attainment missed in October (0.5) and November (0.75), target 0.85;
    # back_office's satisfaction missed only November (October had no answers).
    assert [(c["department"], c["indicator"]) for c in closed["opened"]] == [
        ("field_service", "sla_attainment")]
    assert closed["review"]["closed"] is True
    shown = capa_json(*args(desk_month, "review", "month", MONTH, "--department",
                            "field_service"))
    row = indicator(shown, "field_service", "sla_attainment")
    assert row["kept"] is True
    assert row["verdict"]["status"] == "cycle_opened"
    [action] = [a for a in shown["departments"][0]["actions"] if a["source"] == "indicator"]
    assert (action["case_id"], action["lifecycle"], action["state"]) == (
        closed["opened"][0]["case_id"], "pdca", "plan")
    again = capa_json(*args(desk_month, "review", "close-month", MONTH))
    assert (again["kept"], again["opened"]) == (0, [])


@pytest.mark.parametrize(
    ("command", "field", "says"),
    [
        (["review", "month", "2026-13"], "month", "YYYY-MM"),
        (["review", "month", "november"], "month", "YYYY-MM"),
        (["review", "month", "2027-01"], "month", "in the future"),
        (["review", "month", MONTH, "--department", "spa"], "department", "'spa'"),
        (["review", "month", MONTH, "--format", "pdf"], "format", "'pdf'"),
        (["review", "close-month", "2026-12"], "month", "has not ended"),
        (["review", "close-month", "2026-1"], "month", "YYYY-MM"),
    ],
)
def test_a_bad_argument_is_refused_naming_its_field_and_nothing_is_written(
        desk_month: DataSet, command: list[str], field: str, says: str) -> None:
    refused(desk_month.url, *command, "--config", desk_month.config, exit_code=2,
            field=field, says=[says], now=REPORT_NOW)
