"""Evidence files in a real browser (Debian's chromium, headless): the quality lead adds a
defect photo on the case page for the supplier to see, the supplier sees it in its portal on a
phone-wide screen and sends its own 8D report as a PDF, and the lead downloads that file
(docs/architecture.md, "Attachments"). Screenshots go to tests/artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.casework.engine import open_case
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.attachments.conftest import PDF, PNG
from tests.conftest import T0
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
pytestmark = pytest.mark.slow


def _sign_in(page: Page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_lead_shares_a_photo_supplier_sends_its_8d_pdf_lead_downloads_it(
    browser: Browser, sqlite_url: str, policy: DeadlinePolicy, tmp_path: Path,
    fast_password_hashing: None,
) -> None:
    with session_scope(get_engine(sqlite_url)) as session:
        add_supplier(session, code="ACME", name="Acme Stamping", contact=None,
                     quality_head=None, executive=None, now=T0)
        add_user(session, name="lena", role="quality_lead", password="lead-password-1", now=T0)
        add_user(session, name="quinn", role="supplier", password="acme-password-1", now=T0,
                 supplier_code="ACME")
        case_id = open_case(
            session, lifecycle="8d", title="Burr on bracket edge", supplier_code="ACME",
            part="BRK-220", defect_code="BURR", severity="major", complex_cause=False,
            owner="lena", team=None, problem="Sharp burr at station 3.", actor="lena", now=T0,
            policy=policy,
        ).case.id
    photo, report = tmp_path / "burr at station 3.png", tmp_path / "ACME 8D report.pdf"
    photo.write_bytes(PNG)
    report.write_bytes(PDF)
    site = create_site(Settings(database_url=sqlite_url, now=isoformat(T0),
                                routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with served(site) as base:
        lead = browser.new_context(viewport={"width": 1280, "height": 900},
                                   accept_downloads=True).new_page()
        _sign_in(lead, base, "lena", "lead-password-1")
        lead.goto(f"{base}/cases/{case_id}")
        files = lead.locator("#files")
        files.locator("input[type=file]").set_input_files(str(photo))
        expect(files.get_by_label("Visible to the supplier")).to_be_checked()
        files.get_by_role("button", name="Add file").click()
        expect(lead.locator("#files li.file")).to_have_count(1)
        expect(lead.locator("#files")).to_contain_text("burr at station 3.png")
        expect(lead.locator("#files")).to_contain_text("supplier sees it")

        # The supplier, on a phone: sees the photo, sends its 8D report.
        supplier = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        _sign_in(supplier, base, "quinn", "acme-password-1")
        supplier.goto(f"{base}/portal/cases/{case_id}")
        panel = supplier.locator("#files")
        expect(panel).to_contain_text("burr at station 3.png")
        panel.locator("input[type=file]").set_input_files(str(report))
        panel.get_by_role("button", name="Add file").click()
        expect(supplier.locator(".notice").first).to_contain_text("ACME 8D report.pdf")
        expect(supplier.locator("#files li.file")).to_have_count(2)
        width = supplier.evaluate("document.querySelector('#files').scrollWidth")
        assert width <= 390, f"the files panel is {width} px wide on a 390 px screen"
        supplier.locator("#files").screenshot(path=str(SCREENSHOTS / "portal_files.png"))

        # The lead downloads the supplier's report, byte for byte.
        lead.reload()
        expect(lead.locator("#files")).to_contain_text("(the supplier)")
        with lead.expect_download() as fetched:
            lead.locator("#files").get_by_role("link", name="ACME 8D report.pdf").click()
        saved = tmp_path / "downloaded.pdf"
        fetched.value.save_as(saved)
        assert saved.read_bytes() == PDF
        lead.locator("#files").screenshot(path=str(SCREENSHOTS / "case_files.png"))

    assert (SCREENSHOTS / "case_files.png").stat().st_size > 2_000
