"""The portal carries the conversation, in a real browser (Debian's chromium, headless, driven
by Playwright; docs/architecture.md, "The supplier conversation"): a rejected lot opens a case;
the quality lead asks the supplier a question on the case page and adds an internal note; the
supplier's quality engineer sees the problem (D2), the quantity and the lot in the portal and
replies; the internal note never reaches the portal, and the lead reads the reply. The portal
page is kept as tests/artifacts/screenshots/portal_conversation.png at a phone's width."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import capa_json
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PASSWORD = "long-password-1"

pytestmark = pytest.mark.slow


def _sign_in(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_lead_asks_supplier_sees_the_problem_and_replies_internal_note_stays_internal(
    browser: Browser, sqlite_url: str, fast_password_hashing: None,
) -> None:
    with session_scope(get_engine(sqlite_url)) as session:
        add_supplier(session, code="ACME", name="Acme Stamping", contact=None,
                     quality_head=None, executive=None, now=T0)
        add_user(session, name="lena", role="quality_lead", password=PASSWORD, now=T0)
        add_user(session, name="acme-sqe", role="supplier", password=PASSWORD, now=T0,
                 supplier_code="ACME")
    lot = capa_json("inspect", "record", "--supplier", "ACME", "--part", "BRK-220", "--lot",
                    "L-4711", "--lot-size", "500", "--sampled", "50", "--defects", "3",
                    "--defect-code", "BURR", "--db", sqlite_url, "--now", isoformat(T0))
    case_id = lot["case_id"]
    site = create_site(Settings(database_url=sqlite_url, now=isoformat(T0),
                                routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with served(site) as base:
        lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        _sign_in(lead, base, "lena")
        lead.goto(f"{base}/cases/{case_id}")
        thread = lead.locator("#conversation")
        thread.locator("textarea[name=body]").fill("Were lots after L-4711 made on the same die?")
        thread.get_by_role("button", name="Send to the supplier").click()
        expect(lead.locator("#conversation .thread")).to_contain_text("same die")
        thread = lead.locator("#conversation")
        thread.locator("textarea[name=body]").fill("Second burr case this quarter; audit them.")
        thread.get_by_label("Internal note").check()
        thread.get_by_role("button", name="Send to the supplier").click()
        expect(lead.locator("#conversation li.internal")).to_contain_text("audit them")

        supplier = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        _sign_in(supplier, base, "acme-sqe")
        supplier.goto(f"{base}/portal/cases/{case_id}")
        expect(supplier.locator("[data-fact=problem]")).to_contain_text("lot L-4711 rejected")
        expect(supplier.locator("[data-fact=quantity]")).to_have_text("3 defective parts")
        expect(supplier.locator("[data-fact=lot]")).to_have_text("L-4711")
        expect(supplier.locator("#conversation")).to_contain_text("same die")
        expect(supplier.locator("#conversation")).not_to_contain_text("audit them")
        supplier.locator("#conversation textarea[name=body]").fill(
            "Yes, die D-3; we pulled it and sorted L-4712 to L-4715.")
        supplier.get_by_role("button", name="Send message").click()
        expect(supplier.locator("#conversation .thread")).to_contain_text("die D-3")
        assert "audit them" not in supplier.content()
        # The page fits a phone: nothing wider than the screen but inside its own scroll box.
        width = supplier.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        supplier.screenshot(path=str(SCREENSHOTS / "portal_conversation.png"), full_page=True)

        lead.goto(f"{base}/cases/{case_id}")
        expect(lead.locator("#conversation li.from-supplier")).to_contain_text("die D-3")
        lead.screenshot(path=str(SCREENSHOTS / "case_conversation.png"), full_page=True)
