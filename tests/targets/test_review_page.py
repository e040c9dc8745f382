"""The review page (/review?month= and /review/{month}): each department's indicators with
their targets, sparklines and the rule's word, for the staff; a readable 422 naming the field
and nothing written for bad input; a supplier sent to its portal, a stranger to sign in; and
the page in headless Chromium (docs/architecture.md, "Service quality control")."""

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


def test_the_page_shows_each_departments_indicators_and_the_rule(client: TestClient) -> None:
    for path in (f"/review?month={MONTH}", f"/review/{MONTH}"):
        answer = client.get(path)
        assert answer.status_code == 200, answer.text
        html = answer.text
        # Three departments x six indicators, each with its sparkline.
        assert html.count('class="sparkline"') == 18
        for text in ("Service quality review 2026-11", "Field service", "Back office",
                     "75.0 %", "≥ 85.0 %", "missed twice running",
                     "not closed yet: figures measured now"):
            assert text in html, text


def test_one_department_and_without_a_month_nows_month(client: TestClient) -> None:
    html = client.get(f"/review/{MONTH}?department=back_office").text
    assert "Back office" in html and "Field service" not in html
    assert "Service quality review 2026-12" in client.get("/review").text


@pytest.mark.parametrize(("path", "field"), [
    ("/review?month=2026-13", "month"), ("/review/2027-01", "month"),
    (f"/review/{MONTH}?department=spa", "department"),
])
def test_bad_input_is_a_readable_422_and_writes_nothing(client: TestClient, site: Site,
                                                        path: str, field: str) -> None:
    before = snapshot(site.data.url)
    answer = client.get(path)
    assert answer.status_code == 422
    assert field in answer.text
    assert snapshot(site.data.url) == before


def test_a_supplier_and_a_stranger_do_not_see_the_review(site: Site) -> None:
    with TestClient(site.app, follow_redirects=False) as browser:
        assert browser.get(f"/review/{MONTH}").headers["location"].startswith("/login")
        assert sign_in(browser, "acme", PASSWORD).status_code == 303
        answer = browser.get(f"/review/{MONTH}")
        assert (answer.status_code, answer.headers["location"]) == (303, "/portal")


@pytest.mark.slow
def test_the_review_page_draws_its_sparklines_in_chromium(site: Site) -> None:
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with sync_playwright() as playwright, served(site.app) as base:
        browser = playwright.chromium.launch(executable_path=path, headless=True,
                                             args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/login?next=/review/{MONTH}")
        page.get_by_label("Name").fill("viewer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/review/{MONTH}")
        expect(page.get_by_role("heading", name="Service quality review 2026-11")).to_be_visible()
        line = page.locator("#indicator-field_service-sla_attainment svg")
        expect(line).to_be_visible()
        box = line.bounding_box()
        assert box is not None and box["width"] > 100
        # October and November measured, both missed: two red dots.
        expect(line.locator('circle[fill="#c33"]')).to_have_count(2)
        expect(page.locator("#indicator-field_service-sla_attainment .verdict")).to_have_text(
            "missed")
        page.get_by_role("link", name="← 2026-10").click()
        expect(page.get_by_role("heading", name="Service quality review 2026-10")).to_be_visible()
        browser.close()
