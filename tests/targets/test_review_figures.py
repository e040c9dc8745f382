"""The review's figures against the month of tests/servicedesk/report_data worked out by hand
(docs/architecture.md, "Service quality control"): each department's figure is the service
report's definition over the requests of the desk teams that work there (service_desk: desk,
field_service: field, back_office: office)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from capaflow.casework.engine import advance
from capaflow.models.db import session_scope
from capaflow.runtime import Runtime
from tests.servicedesk.report_data import MONTH, REPORT_NOW, DataSet
from tests.targets.support import indicator, review_of


def figures(document: dict[str, Any], name: str) -> dict[str, Any]:
    return {d["code"]: indicator(document, d["code"], name)["value"]
            for d in document["departments"]}


def test_sla_attainment_counts_both_clocks_of_the_departments_requests(
        desk_month: DataSet) -> None:
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config)
    # desk: R8 R6 responses on time, R8 resolved on time = 3 / 3; field: responses R7 R1 R3
    # R5 on time, resolutions R1 R5 on time, R7 late, R3 running past due = 6 / 8; office:
    # R2's response an hour late, its resolution on time = 1 / 2.
    assert figures(review, "sla_attainment") == {
        "service_desk": 1.0, "field_service": 0.75, "back_office": 0.5}


def test_satisfaction_is_the_share_of_answers_scoring_four_or_five(desk_month: DataSet) -> None:
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config)
    # R1 (field) answered 5, R2 (office) 3; nothing answered for the desk: not measured.
    assert figures(review, "satisfaction") == {
        "service_desk": None, "field_service": 1.0, "back_office": 0.0}


def test_complaints_count_the_complaints_and_claims_received(desk_month: DataSet) -> None:
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config)
    # R3 (claim) and R5 for field, R2 and R4 for the office; none for the desk.
    assert figures(review, "complaints") == {
        "service_desk": 0.0, "field_service": 2.0, "back_office": 2.0}


def test_met_and_missed_against_the_default_targets(desk_month: DataSet) -> None:
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config)
    met = {(d["code"], i["name"]): i["met"] for d in review["departments"]
           for i in d["indicators"]}
    assert met[("service_desk", "sla_attainment")] is True  # 1.0 >= 0.9
    assert met[("field_service", "sla_attainment")] is False  # 0.75 < 0.85
    assert met[("back_office", "satisfaction")] is False  # 0.0 < 0.75
    assert met[("field_service", "complaints")] is True  # 2 <= 5
    # Nothing measured, or no target: neither met nor missed.
    assert met[("service_desk", "satisfaction")] is None
    assert met[("service_desk", "inspection_score")] is None


def test_the_trend_covers_twelve_months_ending_with_the_month(desk_month: DataSet) -> None:
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config)
    trend = indicator(review, "field_service", "sla_attainment")["trend"]
    assert [t["month"] for t in trend][:2] == ["2025-12", "2026-01"] and len(trend) == 12
    assert all(t["value"] is None for t in trend[:10])
    # October: R0's response on time, its resolution an hour late = 1 / 2.
    assert trend[10] == {"month": "2026-10", "value": 0.5, "target": 0.85, "met": False}
    assert trend[11] == {"month": "2026-11", "value": 0.75, "target": 0.85, "met": False}
    # Missed in October and November: closing November opens a PDCA cycle.
    assert indicator(review, "field_service", "sla_attainment")["verdict"] == {
        "status": "cycle_due", "cycle_case_id": None, "earlier_case_id": None,
        "act_failed": False}


def test_one_department_is_reviewed_alone(desk_month: DataSet) -> None:
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config,
                       department="back_office")
    assert [d["code"] for d in review["departments"]] == ["back_office"]
    assert review["departments"][0]["teams"] == ["office"]


def test_a_month_without_rounds_or_spot_checks_has_no_figure_for_them_and_zero_incidents(
        desk_month: DataSet) -> None:
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config)
    for name in ("inspection_score", "spotcheck_conformance"):
        row = indicator(review, "field_service", name)
        assert row["value"] is None and row["met"] is None
        assert row["method"]
    assert indicator(review, "field_service", "incidents")["value"] == 0


def test_the_desks_corrective_actions_are_listed_and_their_causes_make_the_pareto(
        desk_month: DataSet) -> None:
    # R3's claim opened a corrective action (an 8D case without a supplier) at intake.
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config,
                       department="field_service")
    [action] = review["departments"][0]["actions"]
    assert (action["source"], action["lifecycle"], action["state"]) == (
        "service feedback", "8d", "containment")
    assert review["departments"][0]["causes"] == []
    runtime = Runtime(database_url=desk_month.url, config_path=desk_month.config)
    for trigger, fields in (("contain", {"containment": "spare unit lent"}),
                            ("find_root_cause", {"root_cause": "no checklist for the visit",
                                                 "escape_point": "dispatch",
                                                 "category": "method"})):
        with session_scope(runtime.engine()) as session:
            advance(session, case_id=action["case_id"], trigger=trigger, fields=fields,
                    note=None, actor="lead", now=datetime(2026, 11, 20, tzinfo=UTC),
                    policy=runtime.deadline_policy)
    review = review_of(desk_month.url, MONTH, REPORT_NOW, config=desk_month.config,
                       department="field_service")
    assert review["departments"][0]["causes"] == [
        {"category": "methods", "count": 1, "share": 1.0, "cumulative_share": 1.0}]
    assert review["departments"][0]["causes_total"] == 1
