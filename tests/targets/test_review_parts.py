"""The monthly review reads every part of service quality (docs/architecture.md, "Service
quality control"): the inspection rounds' score and findings, the incidents declared and their
reviews' causes, and the spot-checks' conformance, each for its department."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.cli.support import ok
from tests.conftest import T0
from tests.standards.support import EXAMPLE, result_args

D = timedelta(days=1)
MONTH = "2026-03"  # T0 is 2026-03-02 09:00 UTC


def _department(review: dict[str, Any], code: str) -> dict[str, Any]:
    [department] = [d for d in review["departments"] if d["code"] == code]
    return department


def _value(department: dict[str, Any], name: str) -> Any:
    [row] = [i for i in department["indicators"] if i["name"] == name]
    return row["value"]


def test_rounds_findings_and_incidents_of_the_month_are_in_the_review(db_url: str) -> None:
    ok(db_url, "standard", "import", str(EXAMPLE), now=T0)
    ok(db_url, "person", "add", "Maria", "--team", "field", "--lead", now=T0)
    # Two rounds: one all passed (100), one with a failed non-critical item of `people`.
    first = ok(db_url, "round", "open", "--department", "field_service", "--position",
               "technician", "--inspector", "Ines", now=T0)
    ok(db_url, "round", "record", str(first["id"]), *result_args(), now=T0 + D)
    second = ok(db_url, "round", "open", "--department", "field_service", "--position",
                "technician", "--inspector", "Ines", now=T0)
    recorded = ok(db_url, "round", "record", str(second["id"]),
                  *result_args(FS_02="fail:no badge"), now=T0 + 2 * D)
    failed_score = recorded["score"]
    # An incident of the field service, closed and reviewed with a cause; a drill beside it.
    incident = ok(db_url, "incident", "declare", "--type", "power_outage", "--severity", "S1",
                  "--department", "field_service", "--by", "ann", now=T0 + 3 * D)
    ok(db_url, "incident", "declare", "--type", "power_outage", "--severity", "S2", "--drill",
       "--department", "field_service", "--by", "ann", now=T0 + 4 * D)
    ok(db_url, "incident", "close", str(incident["id"]), "--summary", "power back",
       now=T0 + 3 * D + timedelta(hours=2))
    ok(db_url, "incident", "review", str(incident["id"]), "--cause", "fuel not checked",
       "--factor", "methods", now=T0 + 5 * D)

    review = ok(db_url, "review", "month", MONTH, "--department", "field_service",
                now=T0 + 40 * D)
    field = _department(review, "field_service")
    assert _value(field, "inspection_score") == round((100 + failed_score) / 2 / 100, 4)
    assert _value(field, "incidents") == 1  # the drill is not an incident
    assert _value(field, "spotcheck_conformance") is None  # nothing spot-checked
    [finding] = [a for a in field["actions"] if a["lifecycle"] == "finding"]
    assert finding["title"].startswith("FS-02") and finding["owner"] == "Maria"
    causes = {c["category"]: c["count"] for c in field["causes"]}
    assert causes == {"people": 1, "methods": 1}
    [listed] = field["incidents"]
    assert listed["reference"] == f"incident #{incident['id']}"
    # Another department's review sees none of it.
    desk = _department(ok(db_url, "review", "month", MONTH, now=T0 + 40 * D), "service_desk")
    assert _value(desk, "inspection_score") is None and _value(desk, "incidents") == 0
    assert desk["causes"] == [] and desk["incidents"] == []
