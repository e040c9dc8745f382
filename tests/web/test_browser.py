"""The issue's walk in a real browser (Debian's chromium, headless, driven by Playwright): a
quality lead signs in and opens a case, the supplier submits containment through its portal
(entered through the signed link of its notices), the lead accepts it, and the case page shows
the new state. Screenshots of the dashboard and of the case page are kept in
tests/artifacts/screenshots/ (CI keeps the folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from capaflow.accounts import add_user
from capaflow.accounts.links import supplier_link
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models import Case
from capaflow.models.db import get_engine, session_scope, upgrade
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
LEAD_PASSWORD = "lead-password-1"

pytestmark = pytest.mark.slow



def _sign_in(page: Page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_lead_opens_supplier_contains_lead_accepts_in_a_real_browser(
    browser: Browser, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="Acme Stamping", contact=None,
                     quality_head=None, executive=None, now=T0)
        add_user(session, name="lena", role="quality_lead", password=LEAD_PASSWORD, now=T0)
    site = create_site(Settings(database_url=url, now=isoformat(T0), routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with served(site) as base:
        lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        _sign_in(lead, base, "lena", LEAD_PASSWORD)
        expect(lead).to_have_url(f"{base}/")

        # The lead opens a case against ACME.
        lead.goto(f"{base}/cases/new")
        lead.get_by_label("Title").fill("Burr on bracket edge")
        lead.locator("select[name=supplier]").select_option("ACME")
        lead.get_by_label("Part").fill("BRK-220")
        lead.get_by_label("Defect code").fill("BURR")
        lead.locator("textarea[name=problem]").fill("Sharp burr cuts the harness at station 3.")
        lead.get_by_role("button", name="Open the case").click()
        expect(lead).to_have_url(re.compile(rf"{re.escape(base)}/cases/\d+$"))
        case_id = int(lead.url.rsplit("/", 1)[1])
        expect(lead.locator(".badge.state")).to_have_text("containment")

        # The supplier comes in through the link of its notices and submits containment.
        with session_scope(get_engine(url)) as session:
            case = session.get(Case, case_id)
            assert case is not None and case.supplier_id is not None
            token = supplier_link(site.state.web.secret, supplier_id=case.supplier_id, now=T0,
                                  valid_for=site.state.web.supplier_link_valid)
        supplier = browser.new_context().new_page()
        supplier.goto(f"{base}/portal/enter?t={token}")
        expect(supplier).to_have_url(f"{base}/portal")
        supplier.get_by_role("link", name="Burr on bracket edge").click()
        supplier.locator("textarea[name$=containment]").fill(
            "Sorted 2,400 brackets at our site and in transit; 37 rejected.")
        supplier.get_by_role("button", name=re.compile("Send .* for review")).click()
        expect(supplier.locator(".notice").first).to_be_visible()

        # The lead reviews and accepts it; the case moves on to root cause.
        lead.goto(f"{base}/cases/{case_id}")
        lead.get_by_role("link", name="review", exact=True).click()
        expect(lead.get_by_text("Sorted 2,400 brackets")).to_be_visible()
        lead.get_by_role("button", name=re.compile("^Accept")).click()
        expect(lead).to_have_url(f"{base}/cases/{case_id}")
        expect(lead.locator(".badge.state")).to_have_text("root cause")
        expect(lead.get_by_text("Sorted 2,400 brackets").first).to_be_visible()
        lead.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)

        lead.goto(f"{base}/")
        expect(lead.get_by_text("Burr on bracket edge").first).to_be_visible()
        lead.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    assert (SCREENSHOTS / "case.png").stat().st_size > 10_000
    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 10_000
