"""Times for people are on the site's wall clock, names in words: a site in Berlin
(`[calendar] timezone = "Europe/Berlin"`) reads its case page, its notices and its reminders in
CET/CEST, to the minute, and its states as words; the JSON keeps ISO-8601 in UTC and the names
(the contract scripts read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat, readable
from capaflow.config import Settings
from capaflow.models import Notification
from capaflow.models.db import get_engine
from capaflow.statemachines.words import say, say_value
from tests.cli.support import add_supplier, open_8d
from tests.helpers import capa_json
from tests.web.conftest import sign_in

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Berlin (CET)


def test_a_time_reads_on_the_zones_wall_clock_with_its_name_to_the_minute() -> None:
    moment = datetime(2026, 3, 2, 9, 0, 59, 123456, tzinfo=UTC)
    assert readable(moment) == "2026-03-02 09:00 UTC"
    assert readable(moment, BERLIN) == "2026-03-02 10:00 CET"
    assert readable(datetime(2026, 7, 2, 9, 0, tzinfo=UTC), BERLIN) == "2026-07-02 11:00 CEST"
    assert readable(None, BERLIN) == ""


def test_names_read_as_words_and_lists_as_a_person_writes_them() -> None:
    assert say("effectiveness_tracking") == "effectiveness check"
    assert say("long_term_countermeasure") == "long-term countermeasure"
    assert say("meeting_quality_contact") == "meeting with the supplier's quality contact"
    assert say("CAUSE_REPORT") == "cause report"
    assert say("root_cause") == "root cause"
    assert say_value(["lena", "marco"]) == "lena, marco"
    assert say_value({"team": ["lena", "marco"]}) == "team: lena, marco"


def _berlin_config(tmp_path: Path) -> str:
    path = tmp_path / "site.toml"
    path.write_text('[calendar]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    return str(path)


def test_a_berlin_sites_notices_and_pages_say_berlin_time_and_words(
    sqlite_url: str, tmp_path: Path, fast_password_hashing: None
) -> None:
    config = _berlin_config(tmp_path)
    add_supplier(sqlite_url)
    case_id = open_8d(sqlite_url, "--config", config)

    # The step's notice: when and what is owed on the Berlin clock, the state in words.
    with Session(get_engine(sqlite_url)) as session:
        notice = session.exec(select(Notification).where(col(Notification.case_id) == case_id)
                              ).one()
    assert "at 2026-03-02 10:00 CET" in notice.body, notice.body
    assert "due 2026-03-03 10:00 CET" in notice.body, notice.body
    assert "+00:00" not in notice.body and "09:00" not in notice.body

    # The sweep's reminder, a day on, likewise.
    later = isoformat(T0 + timedelta(hours=23))
    capa_json("sweep", "--db", sqlite_url, "--now", later, "--config", config)
    with Session(get_engine(sqlite_url)) as session:
        reminder = session.exec(select(Notification).where(
            col(Notification.kind) == "reminder")).one()
    assert "due 2026-03-03 10:00 CET" in reminder.body, reminder.body
    assert "State: containment" in reminder.body

    # The page: Berlin time; the JSON: UTC, as the contract says.
    with Session(get_engine(sqlite_url)) as session:
        add_user(session, name="lead", role="quality_lead", password="lead-password-1", now=T0)
        session.commit()
    site = create_site(Settings(database_url=sqlite_url, now=isoformat(T0),
                                routes="no-routes.toml", config=config))
    with TestClient(site, follow_redirects=False) as client:
        assert sign_in(client, "lead", "lead-password-1").status_code == 303
        html = client.get(f"/cases/{case_id}").text
    assert "2026-03-03 10:00 CET" in html
    assert "2026-03-03 09:00 UTC" not in html
    shown = capa_json("case", "show", str(case_id), "--db", sqlite_url, "--now", isoformat(T0))
    due = [d["due_at"] for d in shown["deadlines"]]
    assert "2026-03-03T09:00:00+00:00" in due
