"""The last supplier-quality commands walked in a real browser (Debian's chromium, headless,
driven by Playwright), without the CLI (issue 12, point 7): the lead adds a supplier, copies
its portal link, imports examples/lots.csv on /lots and examples/defects.csv on /defects,
classifies a case's defect as one-off, and resumes a discontinued part. A screenshot of each
page goes to tests/artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models import SwitchingState
from capaflow.models.db import get_engine, session_scope, upgrade
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LEAD_PASSWORD = "lead-password-1"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)  # after every row of the example files

pytestmark = pytest.mark.slow


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_add_link_import_classify_and_resume_from_the_web_app_alone(
    browser: Browser, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    with session_scope(get_engine(url)) as session:
        add_user(session, name="lena", role="quality_lead", password=LEAD_PASSWORD, now=T0)
        # Another supplier, whose part's inspection was discontinued (ISO 2859-1 9.4).
        beta = add_supplier(session, code="BETA", name="Beta Castings", contact=None,
                            quality_head=None, executive=None, now=T0)
        assert beta.id is not None
        session.add(SwitchingState(supplier_id=beta.id, part="HSG-900", severity="stopped",
                                   updated_at=T0))
    site = create_site(Settings(database_url=url, now=isoformat(NOW), routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with served(site) as base:
        lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        lead.goto(f"{base}/login")
        lead.get_by_label("Name").fill("lena")
        lead.get_by_label("Password").fill(LEAD_PASSWORD)
        lead.get_by_role("button", name="Sign in").click()
        expect(lead).to_have_url(f"{base}/")

        # 1. A new supplier, from the suppliers page.
        lead.goto(f"{base}/suppliers")
        lead.locator("#new-supplier summary").click()
        form = lead.locator("form.new-supplier")
        form.get_by_label("Code").fill("ACME")
        form.get_by_label("Company name").fill("Acme Stamping")
        form.get_by_label("Quality contact").fill("mailto://qa@acme.example")
        _shot(lead, "commands-new-supplier")
        form.get_by_role("button", name="Add the supplier").click()
        expect(lead).to_have_url(f"{base}/suppliers/ACME")
        expect(lead.locator(".notice")).to_contain_text("Supplier ACME added")

        # 2. Its portal link, to copy into an e-mail.
        lead.get_by_role("button", name="Portal link for the supplier").click()
        link = lead.locator("#portal-link-text")
        expect(link).to_have_value(re.compile(r"/portal/enter\?t="))
        _shot(lead, "commands-portal-link")

        # 3. Inspected lots from a CSV file.
        lead.goto(f"{base}/lots")
        lead.locator("form.csv-import input[type=file]").set_input_files(
            str(EXAMPLES / "lots.csv"))
        lead.get_by_role("button", name="Import the file").click()
        expect(lead.locator("#import-summary")).to_contain_text(
            "Imported 3 of 3 rows from lots.csv")
        _shot(lead, "commands-lots-import")

        # 4. Defects from a CSV file, on the nonconformance list.
        lead.goto(f"{base}/defects")
        lead.locator("form.csv-import input[type=file]").set_input_files(
            str(EXAMPLES / "defects.csv"))
        lead.get_by_role("button", name="Import the file").click()
        expect(lead.locator("#import-summary")).to_contain_text("Imported defects.csv")
        expect(lead.locator("#import-refused tr[data-line='5']")).to_be_visible()
        _shot(lead, "commands-defects-import")

        # 5. One case's defect is a one-off, in the lead's judgement.
        lead.goto(f"{base}/suppliers/ACME")
        lead.locator("#open-cases a[href^='/cases/']").first.click()
        classify = lead.locator("form.classify")
        classify.get_by_label("one-off").check()
        classify.get_by_label("Why").fill("a die insert broke once; replaced")
        classify.get_by_role("button", name="Classify").click()
        expect(lead.locator(".notice")).to_contain_text("classified one-off")
        expect(lead.locator(".classification")).to_have_text("one-off")
        _shot(lead, "commands-classify")

        # 6. The discontinued part resumed, once the supplier acted.
        lead.goto(f"{base}/suppliers/BETA")
        resume = lead.locator("form.resume-inspection[data-part='HSG-900']")
        resume.get_by_label("What the supplier did").fill("new core box, 8D closed")
        resume.get_by_role("button", name="Resume inspection of HSG-900").click()
        expect(lead.locator(".notice")).to_contain_text("inspection resumed at tightened")
        expect(lead.locator("tr[data-part='HSG-900']")).to_contain_text("tightened")
        _shot(lead, "commands-resume")
