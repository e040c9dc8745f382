"""The weekly digest to management (`capa service digest --week`): the week's complaints and
claims, those still open, the SLA clocks that breached in the week; one notice per week, and
delivered through Apprise to a real HTTP receiver on 127.0.0.1. The data set is
report_data.py's (its figures are explained in test_reports.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from capaflow.models import Notification
from capaflow.models.db import session_scope
from capaflow.runtime import Runtime
from capaflow.servicedesk.digest import parse_week, previous_week, week_bounds
from tests.cli.support import iso, refused
from tests.helpers import capa_json
from tests.notifications.conftest import HttpReceiver, http_receiver
from tests.servicedesk.report_data import REPORT_NOW, DataSet, build

__all__ = ["http_receiver"]  # the receiver fixture, for pytest to find in this module


@pytest.fixture
def month(sqlite_url: str, tmp_path: Path) -> DataSet:
    return build(sqlite_url, tmp_path)


def digest(data: DataSet, *args: str) -> dict[str, Any]:
    document: dict[str, Any] = capa_json("service", "digest", *args, "--db", data.url,
                                         "--config", data.config, "--now", iso(REPORT_NOW))
    return document


def notices(url: str) -> list[Notification]:
    with session_scope(Runtime(database_url=url).engine()) as session:
        return list(session.exec(select(Notification)
                                 .where(Notification.kind == "service_digest")))


def test_the_digest_lists_the_weeks_complaints_claims_open_and_breached(
        month: DataSet) -> None:
    ids = month.ids
    document = digest(month, "--week", "2026-W46")  # Mon 9 to Sun 15 November
    assert (document["starts_at"], document["ends_at"]) == ("2026-11-09T00:00:00+00:00",
                                                             "2026-11-16T00:00:00+00:00")
    assert [c["request"] for c in document["complaints"]] == [ids["R4"]]
    assert [c["request"] for c in document["claims"]] == [ids["R3"]]
    # Complaints and claims received by the week's end and not closed: R3 (in progress) and
    # R4 (on hold); R2 was closed by its follow-up, R5 came in after the week.
    assert [c["request"] for c in document["still_open"]] == [ids["R3"], ids["R4"]]
    assert document["still_open_total"] == 2
    # Due in the week and breached: R3's resolution (due 10 Nov 17:00, still running).
    assert [(b["request"], b["clock"], b["late_minutes"]) for b in document["breaches"]] == [
        (ids["R3"], "resolution", 31200)]
    assert document["subject"] == ("[capaflow] Service desk week 2026-W46: 1 complaint(s),"
                                   " 1 claim(s), 2 open, 1 SLA breach(es)")
    [notice] = notices(month.url)
    assert notice.audience == ["management"] and notice.case_id is None
    assert notice.dedupe_key == "service-digest:2026-W46"
    body = notice.body
    assert "Complaints received: 1" in body and f"#{ids['R4']} K1 S4" in body
    assert "Claims received: 1" in body and f"#{ids['R3']} K1 S2, in_progress" in body
    assert "Complaints and claims still open: 2" in body
    assert "SLA clocks breached (due this week): 1" in body
    assert "resolution due 2026-11-10 17:00 UTC, 520 h 00 min late (still running)" in body


def test_a_week_is_queued_once_however_often_it_runs(month: DataSet) -> None:
    first = digest(month, "--week", "2026-W45")
    again = digest(month, "--week", "2026-W45")
    assert first["queued"] is True and again["queued"] is False
    assert again["notice"] == first["notice"]
    # W45 (2-8 Nov): R2's complaint; R7's resolution a day late and R2's response an hour.
    assert [b["late_minutes"] for b in first["breaches"]] == [1440, 60]
    assert len(notices(month.url)) == 1
    digest(month, "--week", "2026-W46")
    assert len(notices(month.url)) == 2


def test_the_digest_reaches_management_through_apprise(
        month: DataSet, tmp_path: Path, http_receiver: HttpReceiver) -> None:
    routes = tmp_path / "routes.toml"
    routes.write_text(f'[roles]\nmanagement = ["{http_receiver.url("roles/management")}"]\n',
                      encoding="utf-8")
    digest(month, "--week", "2026-W46")
    sent = capa_json("notify", "dispatch", "--routes", str(routes), "--db", month.url,
                     "--now", iso(REPORT_NOW))
    # The digest, and what management was told at once at intake (R3's claim and the
    # corrective action it opened): at least the digest was sent, and nothing failed for it.
    assert sent["sent"] >= 1
    [post] = [p for p in http_receiver.posts if "Service desk week" in p.body["title"]]
    assert post.path == "/roles/management"
    assert "Service desk week 2026-W46" in post.body["title"]
    assert "Claims received: 1" in post.body["message"]


@pytest.mark.parametrize("text", ["2026-48", "2026-W54", "2026-W00", "W48", "2026-w4"])
def test_a_week_that_is_not_yyyy_www_is_refused_naming_week(text: str,
                                                             sqlite_url: str) -> None:
    refused(sqlite_url, "service", "digest", "--week", text, exit_code=2, field="week",
            says=["week"], now=REPORT_NOW)


def test_a_week_not_yet_begun_is_refused(sqlite_url: str) -> None:
    refused(sqlite_url, "service", "digest", "--week", "2026-W50", exit_code=2, field="week",
            says=["has not begun"], now=REPORT_NOW)


def test_weeks_are_iso_weeks_on_the_calendars_wall_clock() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    start, end = week_bounds("2026-W53", berlin)  # 2026 has 53 ISO weeks
    assert (start.isoformat(), end.isoformat()) == ("2026-12-27T23:00:00+00:00",
                                                    "2027-01-03T23:00:00+00:00")
    assert parse_week(" 2026-W01 ") == (2026, 1)
    # Monday 7 December: the digest is of the week that has just ended.
    assert previous_week(REPORT_NOW.replace(day=7), ZoneInfo("UTC")) == "2026-W49"
