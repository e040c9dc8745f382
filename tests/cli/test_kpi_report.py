"""`capa kpi report [--from --to] [--format md|csv|json]`: every format carries the same
figures (tests/casework/test_kpis.py works them out by hand); bad input exits 2 naming its
field and writes nothing."""

from __future__ import annotations

import pytest

from tests.cli.support import D, H, add_supplier, ok, open_8d, refused, step
from tests.conftest import T0
from tests.helpers import capa


def test_the_report_in_json_csv_and_markdown_carries_the_same_figures(sqlite_url: str) -> None:
    add_supplier(sqlite_url, "ACME")
    case_id = open_8d(sqlite_url, "--supplier", "ACME", "--part", "P-1", "--defect-code",
                      "BURR")
    step(sqlite_url, case_id, "contain", T0 + 12 * H, containment="sorted")
    at = T0 + 10 * D
    document = ok(sqlite_url, "kpi", "report", "--from", "2026-03-01", "--to", "2026-03-31",
                  now=at)
    assert document["cycle_times"][0] == {
        "discipline": "containment", "title": "Containment (D3)", "samples": 1,
        "median_days": 0.5, "p90_days": 0.5}
    # Containment met on time; the root cause (due 3 days after containment) is missed.
    assert document["on_time"][0]["on_time"] == 1 and document["on_time"][0]["missed"] == 1
    assert [b["open_cases"] for b in document["ageing"]] == [0, 1, 0, 0]
    common = ("--db", sqlite_url, "--now", at.isoformat(), "--from", "2026-03-01")
    csv_out = capa("kpi", "report", "--format", "csv", *common)
    assert csv_out.exit_code == 0 and "cycle_time,containment,Containment (D3),1,0.5,0.5" in \
        csv_out.stdout
    markdown = capa("kpi", "report", *common)
    assert markdown.exit_code == 0 and "| ACME (Acme Castings) | 1 | 0 | 1 | 50 % |" in \
        markdown.stdout


@pytest.mark.parametrize(("args", "field"), [
    (("--format", "xlsx"), "format"),
    (("--from", "2026-02-30"), "from"),
    (("--to", "yesterday"), "to"),
    (("--from", "2026-03-10", "--to", "2026-03-01"), "from"),
])
def test_bad_input_is_refused_naming_its_field_and_nothing_is_written(
    sqlite_url: str, args: tuple[str, ...], field: str
) -> None:
    refused(sqlite_url, "kpi", "report", *args, exit_code=2, field=field)
