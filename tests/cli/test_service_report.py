"""`capa service report --month YYYY-MM [--format md|csv|json]`: every format carries the
same figures (test_reports.py works them out by hand); bad input exits 2 naming its field
and writes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.support import iso, refused
from tests.helpers import capa
from tests.servicedesk.report_data import MONTH, REPORT_NOW, DataSet, build


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> DataSet:
    # One data set for the module: the report only reads it.
    import shutil

    folder = tmp_path_factory.mktemp("report")
    shutil.copy(sqlite_template, folder / "capa.db")
    return build(f"sqlite:///{folder / 'capa.db'}", folder)


def report(data: DataSet, *args: str) -> str:
    result = capa("service", "report", "--month", MONTH, *args, "--db", data.url, "--config",
                  data.config, "--now", iso(REPORT_NOW))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def test_json_is_the_report_document_with_either_option(month: DataSet) -> None:
    as_format = json.loads(report(month, "--format", "json"))
    assert json.loads(report(month, "--json")) == as_format
    assert as_format["month"] == "2026-11" and as_format["received"] == 7
    assert [a["share"] for a in as_format["attainment"]] == [0.8571, 0.6667]


def test_markdown_shows_each_section_with_its_figures(month: DataSet) -> None:
    text = report(month)  # md is the default
    assert report(month, "--format", "md") == text
    for line in ("# Service report 2026-11", "## Requests received: 7",
                 "| first_response | 7 | 6 | 1 | 85.7 % |",
                 "| resolution | 6 | 4 | 2 | 66.7 % |",
                 "### resolution by team", "| field | 4 | 2 | 2 | 50.0 % |",
                 "## Breaches: 3", "| 31200 | still running |",
                 "- CSAT (overall 4 or 5): 50.0 % of 2 answers",
                 "- NPS: 0 (1 promoters, 1 detractors, 2 answers)",
                 "| tangibles | 3 |",
                 "| 2026-10 | 100.0 % | 100 | 100.0 % | 0.0 % | 1 | 2 |",
                 "| billing | 2 | 66.7 % | 66.7 % |", "## Claims: 1"):
        assert line in text, line


def test_csv_has_one_figure_a_row(month: DataSet) -> None:
    rows = list(csv.DictReader(io.StringIO(report(month, "--format", "csv"))))
    figures: dict[tuple[str, str, str, str], Any] = {
        (r["section"], r["clock"], r["group"], r["measure"]): r["value"] for r in rows}
    assert figures[("received", "", "all", "requests")] == "7"
    assert figures[("received", "", "kind:complaint", "requests")] == "3"
    assert figures[("attainment", "first_response", "all", "share")] == "0.8571"
    assert figures[("attainment", "resolution", "tier:standard", "breached")] == "1"
    assert figures[("satisfaction", "", "all", "response_rate")] == "0.5"
    assert figures[("satisfaction", "", "dimension:assurance", "mean")] == "3.5"
    assert figures[("trend", "", "2026-09", "csat")] == ""  # nothing answered: no share
    assert figures[("complaints", "", "repair", "cumulative_share")] == "1.0"
    assert [r["value"] for r in rows if r["section"] == "breach"] == ["1440", "60", "31200"]


@pytest.mark.parametrize("text", ["2026-13", "11/2026", "next", "2026-11-01"])
def test_a_bad_month_exits_2_naming_month_and_writes_nothing(text: str,
                                                             sqlite_url: str) -> None:
    refused(sqlite_url, "service", "report", "--month", text, exit_code=2, field="month",
            says=["month"], now=REPORT_NOW)


def test_a_future_month_exits_2(sqlite_url: str) -> None:
    refused(sqlite_url, "service", "report", "--month", "2027-01", exit_code=2, field="month",
            says=["future"], now=REPORT_NOW)


def test_an_unknown_format_exits_2_naming_format(sqlite_url: str) -> None:
    refused(sqlite_url, "service", "report", "--month", MONTH, "--format", "pdf",
            exit_code=2, field="format", says=["pdf"], now=REPORT_NOW)
