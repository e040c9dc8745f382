"""The monthly service report against the small month of report_data.py, every figure worked
out by hand (docs/architecture.md, "Service desk"; the definitions are servicedesk.reports's).

The requests, with their clocks (key tier around the clock: due = intake + target):

    R8 inquiry S4 desk, in 31 Oct 23:30: response due 1 Nov 07:30, met 06:00 (on time);
       resolution due 3 Nov 23:30, met 2 Nov 10:00 (on time); survey unanswered, expires
       9 Nov 10:00 (no response). Received in October.
    R7 request S3 field, standard tier, in Mon 2 Nov 09:00 (business hours 08-18):
       response due 13:00, met 10:00 (on time); resolution 3 x 10 h: Mon 9 h + Tue 10 h +
       Wed 10 h + Thu 1 h = due Thu 5 Nov 09:00, met Fri 6 Nov 09:00: 1440 min late.
    R1 request S2 field, in 3 Nov 10:00: response due 11:00 met 10:30; resolution due 18:00
       met 17:00; answered 4 Nov: overall 5, NPS 10, dimensions 5 4 4 5 5.
    R2 complaint S3 office, in 5 Nov 08:00: response due 12:00 met 13:00 (60 min late);
       resolution due 6 Nov 08:00 met 07:00; answered 7 Nov: overall 3, NPS 6, 3 3 2 3 3.
    R3 claim S3 -> S2 field, in 10 Nov 09:00: response due 10:00 met 09:20; resolution due
       17:00, still running at the report (2 Dec 09:00): 21 d 16 h = 31,200 min late.
    R4 complaint S4 office, in 12 Nov 12:00, on hold from 13:00 (before both due times):
       neither clock counted.
    R5 complaint S3 field, in 20 Nov 10:00: response due 14:00 met 11:00; resolution due
       21 Nov 10:00 met 20 Nov 16:00; survey unanswered, expires 27 Nov 16:00 (no response).
    R6 inquiry S4 desk, in 28 Nov 09:00: response due 17:00 met 10:00; resolution due
       1 Dec 09:00: December's, not counted.
    R0 (October) request S2 field: response met on time, resolution an hour late; answered
       21 Oct: overall 4, NPS 9.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from capaflow.documents.service_report import service_report_document
from capaflow.errors import BadInput
from capaflow.models.db import session_scope
from capaflow.runtime import Runtime
from capaflow.servicedesk.reports import pareto, service_report
from tests.servicedesk.report_data import MONTH, REPORT_NOW, DataSet, build

UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def month(db_url: str, tmp_path: Path) -> DataSet:
    return build(db_url, tmp_path)


def report_of(data: DataSet, month: str = MONTH, now: datetime = REPORT_NOW) -> dict[str, Any]:
    runtime = Runtime(database_url=data.url, config_path=data.config)
    with session_scope(runtime.engine()) as session:
        report = service_report(session, month=month, now=now,
                                zone=runtime.deadline_policy.calendar.zone)
        document: dict[str, Any] = service_report_document(report).as_json()
    return document


def share(document: dict[str, Any]) -> tuple[int, int, int, float | None]:
    return (document["counted"], document["met_on_time"], document["breached"],
            document["share"])


def test_requests_are_counted_in_the_month_they_were_received(month: DataSet) -> None:
    report = report_of(month)
    # R1 R2 R3 R4 R5 R6 R7; R8 came in at 23:30 on 31 October and is October's.
    assert report["received"] == 7
    assert report["by_kind"] == {"claim": 1, "complaint": 3, "inquiry": 1, "request": 2}
    assert report["by_channel"] == {"mail": 1, "phone": 3, "portal": 1, "walk_in": 1,
                                    "web": 1}
    assert report["by_tier"] == {"key": 6, "standard": 1}
    # R3's claim was raised from S3 to S2 at intake.
    assert report["by_severity"] == {"S2": 2, "S3": 3, "S4": 2}
    assert (report["starts_at"], report["ends_at"]) == ("2026-11-01T00:00:00+00:00",
                                                        "2026-12-01T00:00:00+00:00")


def test_attainment_counts_each_clock_once_in_the_month_it_fell_due(month: DataSet) -> None:
    first, resolution = report_of(month)["attainment"]
    # First response due in November: R8 R7 R1 R2 R3 R5 R6 (R4 on hold before due) = 7,
    # R2 late: 6 / 7 = 0.857142... -> 0.8571.
    assert first["group"] == "first_response"
    assert share(first) == (7, 6, 1, 0.8571)
    # Resolution: R8 R7 R1 R2 R3 R5 (R6 due in December, R4 on hold) = 6; R7 late and R3
    # running past due: 4 / 6 = 0.6667.
    assert resolution["group"] == "resolution"
    assert share(resolution) == (6, 4, 2, 0.6667)


def test_attainment_by_tier_severity_and_team(month: DataSet) -> None:
    first, resolution = report_of(month)["attainment"]
    by = {name: {r["group"]: share(r) for r in first[f"by_{name}"]}
          for name in ("tier", "severity", "team")}
    # key: R8 R1 R2 R3 R5 R6, R2 late: 5 / 6; standard: R7 on time.
    assert by["tier"] == {"key": (6, 5, 1, 0.8333), "standard": (1, 1, 0, 1.0)}
    # S2: R1 R3; S3: R7 R2(late) R5 = 2 / 3; S4: R8 R6.
    assert by["severity"] == {"S2": (2, 2, 0, 1.0), "S3": (3, 2, 1, 0.6667),
                              "S4": (2, 2, 0, 1.0)}
    # desk: R8 R6; field: R7 R1 R3 R5; office: R2 (late).
    assert by["team"] == {"desk": (2, 2, 0, 1.0), "field": (4, 4, 0, 1.0),
                          "office": (1, 0, 1, 0.0)}
    by = {name: {r["group"]: share(r) for r in resolution[f"by_{name}"]}
          for name in ("tier", "severity", "team")}
    # key: R8 R1 R2 R3(running) R5 = 4 / 5; standard: R7 late = 0 / 1.
    assert by["tier"] == {"key": (5, 4, 1, 0.8), "standard": (1, 0, 1, 0.0)}
    # S2: R1, R3(running) = 1 / 2; S3: R7(late) R2 R5 = 2 / 3; S4: R8.
    assert by["severity"] == {"S2": (2, 1, 1, 0.5), "S3": (3, 2, 1, 0.6667),
                              "S4": (1, 1, 0, 1.0)}
    # desk: R8; field: R7(late) R1 R3(running) R5 = 2 / 4; office: R2.
    assert by["team"] == {"desk": (1, 1, 0, 1.0), "field": (4, 2, 2, 0.5),
                          "office": (1, 1, 0, 1.0)}


def test_breaches_list_the_late_and_the_still_running_by_due_time(
        month: DataSet) -> None:
    report = report_of(month)
    ids = month.ids
    assert report["breaches_total"] == 3
    assert [(b["request"], b["clock"], b["due_at"], b["late_minutes"], b["running"])
            for b in report["breaches"]] == [
        (ids["R7"], "resolution", "2026-11-05T09:00:00+00:00", 1440, False),  # 24 h late
        (ids["R2"], "first_response", "2026-11-05T12:00:00+00:00", 60, False),
        # 10 Nov 17:00 to 2 Dec 09:00 = 21 d 16 h = 520 h = 31,200 min
        (ids["R3"], "resolution", "2026-11-10T17:00:00+00:00", 31200, True),
    ]
    assert report["breaches"][2]["met_at"] is None
    assert report["breaches"][0]["met_at"] == "2026-11-06T09:00:00+00:00"


def test_satisfaction_of_the_answers_given_in_the_month(month: DataSet) -> None:
    satisfaction = report_of(month)["satisfaction"]
    assert satisfaction == {
        # R1 and R2 answered; R8's and R5's surveys expired unanswered in November.
        "answered": 2, "no_response": 2, "response_rate": 0.5,  # 2 / (2 + 2)
        "csat": 0.5, "csat_answers": 2,  # overall 5 and 3: one of two is 4 or more
        # NPS 10 is a promoter, 6 a detractor: 100 x (1 - 1) / 2 = 0
        "nps": 0.0, "nps_answers": 2, "promoters": 1, "detractors": 1,
        "dimensions": {
            "reliability": 4.0,  # (5 + 3) / 2
            "assurance": 3.5,  # (4 + 3) / 2
            "tangibles": 3.0,  # (4 + 2) / 2
            "empathy": 4.0,  # (5 + 3) / 2
            "responsiveness": 4.0,  # (5 + 3) / 2
        },
    }


def test_the_trend_covers_twelve_months_ending_with_the_month(month: DataSet) -> None:
    trend = report_of(month)["trend"]
    assert [t["month"] for t in trend][:2] == ["2025-12", "2026-01"]
    assert len(trend) == 12
    assert all(t["clocks"] == 0 and t["csat"] is None for t in trend[:10])
    # October: R0's response on time (1/1), resolution late (0/1); one answer, overall 4
    # (CSAT 1/1), NPS 9 (a promoter: 100 x 1 / 1).
    assert trend[10] == {"month": "2026-10", "csat": 1.0, "nps": 100.0, "first_response": 1.0,
                         "resolution": 0.0, "answered": 1, "clocks": 2}
    # November as above: 7 + 6 clocks.
    assert trend[11] == {"month": "2026-11", "csat": 0.5, "nps": 0.0,
                         "first_response": 0.8571, "resolution": 0.6667, "answered": 2,
                         "clocks": 13}


def test_complaints_pareto_and_claims(month: DataSet) -> None:
    report = report_of(month)
    # billing R2 R4, repair R5: 2 / 3 = 0.6667, then 1 / 3 = 0.3333 (cumulative 1.0).
    assert report["complaints_total"] == 3
    assert [(p["category"], p["count"], p["share"], p["cumulative_share"])
            for p in report["complaints"]] == [("billing", 2, 0.6667, 0.6667),
                                               ("repair", 1, 0.3333, 1.0)]
    assert [(c["request"], c["severity"], c["state"], c["customer"])
            for c in report["claims"]] == [(month.ids["R3"], "S2", "in_progress", "K1")]


def test_october_is_reported_from_its_own_clocks(month: DataSet) -> None:
    report = report_of(month, month="2026-10")
    # R0 and R8 came in in October; only R0's clocks fell due in it.
    assert report["received"] == 2
    assert [share(a) for a in report["attainment"]] == [(1, 1, 0, 1.0), (1, 0, 1, 0.0)]
    assert report["complaints"] == [] and report["claims"] == []


@pytest.mark.parametrize("text", ["2026-13", "Nov 2026", "2026-1", "", "2026-11-01"])
def test_a_month_that_is_not_yyyy_mm_is_refused_naming_month(text: str,
                                                              sqlite_url: str) -> None:
    runtime = Runtime(database_url=sqlite_url)
    with session_scope(runtime.engine()) as session, pytest.raises(BadInput) as refused:
        service_report(session, month=text, now=REPORT_NOW, zone=UTC_ZONE)
    assert refused.value.field == "month"


def test_a_month_after_nows_is_refused(sqlite_url: str) -> None:
    runtime = Runtime(database_url=sqlite_url)
    with session_scope(runtime.engine()) as session, pytest.raises(BadInput) as refused:
        service_report(session, month="2027-01", now=REPORT_NOW, zone=UTC_ZONE)
    assert refused.value.field == "month"
    assert "future" in refused.value.message


def test_an_empty_month_has_no_shares_rather_than_zero(sqlite_url: str) -> None:
    runtime = Runtime(database_url=sqlite_url)
    with session_scope(runtime.engine()) as session:
        report = service_report(session, month="2026-11",
                                now=datetime(2026, 12, 1, tzinfo=UTC), zone=UTC_ZONE)
    assert report.received == 0
    assert [a.share for a in report.attainment] == [None, None]
    assert report.satisfaction.csat is None and report.satisfaction.nps is None


def test_pareto_orders_by_count_then_name_and_accumulates() -> None:
    # 5 + 3 + 2 = 10: 0.5, 0.3, 0.2; cumulative 0.5, 0.8, 1.0; ties by name.
    rows = pareto([("b", 3), ("a", 2), ("c", 5), ("d", 0)])
    assert [(r.category, r.share, r.cumulative_share) for r in rows] == [
        ("c", 0.5, 0.5), ("b", 0.3, 0.8), ("a", 0.2, 1.0), ("d", 0.0, 1.0)]
