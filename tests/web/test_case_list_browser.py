"""The case list in a real browser (Debian's chromium, headless, driven by Playwright): a lead
filters, sorts, saves a view, opens it again and exports the CSV; the list fits a 390 px
phone. Screenshots go to tests/artifacts/screenshots/."""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from tests.caselists.world import build_world
from tests.conftest import T0
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PASSWORD = "list-password-1"

pytestmark = pytest.mark.slow


def test_lead_filters_sorts_saves_a_view_opens_it_again_and_exports_csv(
    browser: Browser, sqlite_url: str, policy: DeadlinePolicy, tmp_path: Path,
    fast_password_hashing: None,
) -> None:
    with session_scope(get_engine(sqlite_url)) as session:
        world = build_world(session, policy)
        add_user(session, name="lena", role="quality_lead", password=PASSWORD, now=T0)
    site = create_site(Settings(database_url=sqlite_url, now=isoformat(T0 + timedelta(days=5)),
                                routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    c = world.cases
    with served(site) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        lead = context.new_page()
        lead.goto(f"{base}/login")
        lead.get_by_label("Name").fill("lena")
        lead.get_by_label("Password").fill(PASSWORD)
        lead.get_by_role("button", name="Sign in").click()
        expect(lead).to_have_url(f"{base}/")
        expect(lead.locator("#menu-submissions")).to_have_text("Submissions (1)")

        # From the dashboard's card to the list, then narrowed to ACME's cases.
        lead.locator("#open-total").click()
        expect(lead).to_have_url(f"{base}/cases")
        lead.locator("select[name=supplier]").select_option("ACME")
        lead.get_by_role("button", name="Show").click()
        expect(lead.locator("#list-count")).to_have_text("Cases 1–2 of 2")
        rows = lead.locator("#case-list tbody tr")
        expect(rows).to_have_count(2)

        # Sorted by severity, least first, then most first.
        lead.locator("a[data-sort=severity]").click()
        expect(rows.first).to_have_attribute("data-case", str(c["burr"]))
        lead.locator("a[data-sort=severity]").click()
        expect(rows.first).to_have_attribute("data-case", str(c["crack"]))
        assert "sort=-severity" in lead.url

        # Saved under a name, and opened again from a clean list.
        lead.get_by_label("Save these filters as").fill("ACME worst first")
        lead.get_by_role("button", name="Save view").click()
        expect(lead.locator("p.notice")).to_contain_text("Saved the view 'ACME worst first'")
        lead.goto(f"{base}/cases")
        expect(rows).to_have_count(4)
        lead.get_by_role("link", name="ACME worst first").click()
        expect(rows).to_have_count(2)
        expect(rows.first).to_have_attribute("data-case", str(c["crack"]))
        lead.screenshot(path=str(SCREENSHOTS / "case-list.png"), full_page=True)

        # The CSV holds the same cases, in the same order.
        with lead.expect_download() as download_info:
            lead.locator("#export-csv").click()
        saved = tmp_path / "cases.csv"
        download_info.value.save_as(saved)
        with saved.open(newline="", encoding="utf-8") as handle:
            exported = list(csv.reader(handle))
        assert [int(r[0]) for r in exported[1:]] == [c["crack"], c["burr"]]

        # A bad filter: the form again, the field named.
        lead.get_by_label("Due within (days)").fill("soon")
        lead.get_by_role("button", name="Show").click()
        expect(lead.locator("p.error")).to_have_attribute("data-field", "due_days")

        # On a phone the list scrolls inside its box; the page itself does not overflow.
        phone = context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{base}/cases")
        expect(phone.locator("#case-list")).to_be_visible()
        width = phone.evaluate("document.querySelector('.case-list').scrollWidth")
        assert width <= 390, width
        assert re.search(r"/cases$", phone.url)
        phone.screenshot(path=str(SCREENSHOTS / "case-list-phone.png"), full_page=True)
        context.close()
