"""The service report page (/service/report?month=): its figures and charts for the staff,
a readable 422 for a bad month, the portal for a supplier; and the page in headless Chromium
with its three charts drawn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import expect, sync_playwright

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.helpers import snapshot
from tests.servicedesk.report_data import MONTH, REPORT_NOW, DataSet, build
from tests.web.conftest import sign_in
from tests.web.live import CHROMIUM_FLAGS, chromium_path, served

PASSWORD = "view-password-1"


@dataclass
class Site:
    app: FastAPI
    data: DataSet


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path, fast_password_hashing: None) -> Site:
    data = build(sqlite_url, tmp_path)
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="viewer", role="viewer", password=PASSWORD, now=REPORT_NOW)
        add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                     executive=None, now=REPORT_NOW)
        add_user(session, name="acme", role="supplier", password=PASSWORD, now=REPORT_NOW,
                 supplier_code="ACME")
    settings = Settings(database_url=sqlite_url, now=isoformat(REPORT_NOW),
                        config=data.config, routes="no-routes.toml")
    return Site(app=create_site(settings), data=data)


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(site.app, follow_redirects=False) as browser:
        assert sign_in(browser, "viewer", PASSWORD).status_code == 303
        yield browser


def test_the_page_shows_the_months_figures_and_three_charts(client: TestClient) -> None:
    answer = client.get(f"/service/report?month={MONTH}")
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert html.count("<svg") == 3
    for text in ("Service report 2026-11", "Requests received: 7",
                 "first response: 85.7 %", "resolution: 66.7 %", "Breaches: 3",
                 "still running", "520 h 00 min", "<strong>50.0 %</strong> of 2 answers",
                 "SLA attainment by tier, 2026-11", "12 months to 2026-11",
                 "Complaints by category: 3", "billing: 2 (66.7% cumulative)", "Claims: 1"):
        assert text in html, text


def test_without_a_month_the_page_shows_nows_month(client: TestClient) -> None:
    assert "Service report 2026-12" in client.get("/service/report").text


def test_a_bad_month_is_a_readable_422_and_writes_nothing(client: TestClient,
                                                          site: Site) -> None:
    before = snapshot(site.data.url)
    answer = client.get("/service/report?month=2026-13")
    assert answer.status_code == 422
    assert "month" in answer.text
    assert snapshot(site.data.url) == before


def test_a_supplier_does_not_see_the_report(site: Site) -> None:
    with TestClient(site.app, follow_redirects=False) as browser:
        assert sign_in(browser, "acme", PASSWORD).status_code == 303
        # Staff pages send a supplier's person to its portal (web.errors).
        answer = browser.get(f"/service/report?month={MONTH}")
        assert (answer.status_code, answer.headers["location"]) == (303, "/portal")


@pytest.mark.slow
def test_the_report_page_draws_its_charts_in_chromium(site: Site) -> None:
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with sync_playwright() as playwright, served(site.app) as base:
        browser = playwright.chromium.launch(executable_path=path, headless=True,
                                             args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/login?next=/service/report?month={MONTH}")
        page.get_by_label("Name").fill("viewer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/service/report?month={MONTH}")
        expect(page.get_by_role("heading", name="Service report 2026-11")).to_be_visible()
        for label in ("SLA attainment by tier, 2026-11", "12 months to 2026-11",
                      "Complaints by category, 2026-11"):
            chart = page.get_by_role("img", name=label)
            expect(chart).to_be_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100
        # The bars (each with its tooltip): two tiers x two clocks, two complaint categories.
        expect(page.locator("#attainment svg rect:has(title)")).to_have_count(4)
        expect(page.locator("#complaints svg rect:has(title)")).to_have_count(2)
        expect(page.locator("#trend tbody tr")).to_have_count(12)
        # Navigating to the month before keeps the page working.
        page.get_by_role("link", name="← 2026-10").click()
        expect(page.get_by_role("heading", name="Service report 2026-10")).to_be_visible()
        browser.close()
