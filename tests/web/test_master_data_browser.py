"""Master data in a real browser (Debian's chromium, headless, Playwright): a quality lead
gives a supplier its head of quality on the supplier page, then changes her own password; the
session she had open elsewhere is signed out, and she signs in with the new password.
Screenshots in tests/artifacts/screenshots/ (one at a phone's 390 px width)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope, upgrade
from capaflow.suppliers.registry import add_supplier, get_supplier
from tests.conftest import T0
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
OLD, NEW = "lead-password-1", "lead-password-2"
HEAD = "json://127.0.0.1:9/acme/head"

pytestmark = pytest.mark.slow


def _sign_in(page: Page, base: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill("lena")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_lead_edits_a_head_of_quality_and_changes_her_password(
    browser: Browser, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="Acme Stamping", contact=None,
                     quality_head=None, executive=None, now=T0)
        add_user(session, name="lena", role="quality_lead", password=OLD, now=T0)
    site = create_site(Settings(database_url=url, now=isoformat(T0), routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with served(site) as base:
        lead = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        elsewhere = browser.new_context().new_page()
        _sign_in(lead, base, OLD)
        _sign_in(elsewhere, base, OLD)
        expect(elsewhere).to_have_url(f"{base}/")

        # The supplier page says nobody is on record as ACME's head of quality.
        lead.goto(f"{base}/suppliers/ACME")
        contacts = lead.locator("#contacts")
        expect(contacts.get_by_role("row", name="Head of quality")).to_contain_text("nobody")
        contacts.get_by_role("link", name="Edit contacts").click()
        lead.locator("fieldset[data-contact=quality_head] input[name=quality_head]").fill(HEAD)
        lead.screenshot(path=str(SCREENSHOTS / "supplier-contacts-390.png"), full_page=True)
        lead.get_by_role("button", name="Save contacts").click()
        expect(lead).to_have_url(f"{base}/suppliers/ACME")
        expect(lead.get_by_role("status")).to_contain_text("contacts updated")
        expect(contacts.get_by_role("row", name="Head of quality")).to_contain_text("on record")
        expect(lead.locator("#decisions")).to_contain_text("contacts updated")

        # She changes her password; the session open elsewhere ends, this one goes on.
        lead.get_by_role("link", name="Change password").click()
        lead.get_by_label("Current password").fill(OLD)
        lead.get_by_label("New password", exact=True).fill(NEW)
        lead.get_by_label("New password again").fill(NEW)
        lead.screenshot(path=str(SCREENSHOTS / "change-password-390.png"), full_page=True)
        lead.get_by_role("button", name="Change password").click()
        expect(lead.get_by_role("status")).to_contain_text("Password changed")
        elsewhere.goto(f"{base}/")
        expect(elsewhere).to_have_url(f"{base}/login?next=/")

        # The old password no longer signs in; the new one does.
        _sign_in(elsewhere, base, OLD)
        expect(elsewhere.get_by_role("alert")).to_contain_text("not right")
        _sign_in(elsewhere, base, NEW)
        expect(elsewhere).to_have_url(f"{base}/")

    with Session(get_engine(url)) as session:
        assert get_supplier(session, "ACME").quality_head_url == HEAD
