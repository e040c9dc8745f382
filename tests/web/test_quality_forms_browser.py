"""The supplier-quality job walked in a real browser (Debian's chromium, headless, driven by
Playwright), without the CLI (issue 12, point 7): the lead asks for the plan of a lot and
records it rejected, records a line defect and reads what the intake did, runs the month's
scorecard, conducts an audit and closes its finding and the audit (signed), and reads the
supplier's charge-back statement. A screenshot of each page goes to
tests/artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope, upgrade
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
LEAD_PASSWORD = "lead-password-1"

pytestmark = pytest.mark.slow


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_lot_defect_scorecard_audit_and_charge_back_from_the_web_app_alone(
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
        lead.goto(f"{base}/login")
        lead.get_by_label("Name").fill("lena")
        lead.get_by_label("Password").fill(LEAD_PASSWORD)
        lead.get_by_role("button", name="Sign in").click()
        expect(lead).to_have_url(f"{base}/")

        # 1. Incoming lot: the plan first (code letter, sample size), then the result.
        lead.get_by_role("link", name="Incoming lots").click()
        plan = lead.locator("form.plan")
        plan.locator("select[name=supplier]").select_option("ACME")
        plan.locator("input[name=part]").fill("BRK-220")
        plan.locator("input[name=lot_size]").fill("500")
        plan.get_by_role("button", name="Show the plan").click()
        expect(lead.locator(".code-letter")).to_have_text("H")
        expect(lead.locator(".sample-size")).to_have_text("50")
        record = lead.locator("form.record-lot")
        expect(record.locator("input[name=sampled]")).to_have_value("50")
        record.locator("input[name=lot]").fill("L-0042")
        record.locator("input[name=defects]").fill("4")
        record.locator("input[name=defect_code]").fill("BURR")
        record.get_by_role("button", name="Record the lot").click()
        expect(lead.locator(".notice")).to_contain_text("Lot L-0042 of ACME BRK-220 rejected")
        expect(lead.locator("#lots tr[data-lot=L-0042]")).to_contain_text("rejected")
        _shot(lead, "forms-lots")

        # 2. A line defect: the page says what the intake did with it.
        lead.get_by_role("link", name="Nonconformances").click()
        lead.get_by_role("link", name="Record a defect").click()
        form = lead.locator("form.record-defect")
        form.locator("select[name=supplier]").select_option("ACME")
        form.locator("input[name=part]").fill("HSG-7")
        form.locator("input[name=defect_code]").fill("CRACK")
        form.locator("input[name=quantity]").fill("3")
        form.get_by_role("button", name="Record the defect").click()
        expect(lead.locator(".notice")).to_contain_text(re.compile(r"case #\d+ opened"))
        expect(lead.locator("#defects")).to_contain_text("new case opened")
        _shot(lead, "forms-defects")
        case_link = lead.locator("#defects tbody tr").first.locator("a[href^='/cases/']")
        case_path = case_link.get_attribute("href")
        assert case_path is not None

        # A sorting cost on that case, for the statement.
        lead.goto(f"{base}{case_path}")
        lead.locator("details.add-cost summary").click()
        lead.locator("select[name=kind]").select_option("sorting")
        lead.locator("input[name=amount]").fill("480.00")
        lead.locator("input[name=currency]").fill("EUR")
        lead.get_by_role("button", name="Add cost").click()
        expect(lead.locator(".notice")).to_contain_text("Cost recorded")

        # 3. The month's scorecard, run from its page.
        lead.get_by_role("link", name="Scorecard").click()
        lead.locator("form.filter input[name=month]").fill("2026-03")
        lead.get_by_role("button", name="Show").click()
        lead.get_by_role("button", name="Run the scorecard for 2026-03").click()
        expect(lead.locator(".notice")).to_contain_text("2026-03 graded")
        expect(lead.locator("#grade-table tr[data-supplier=ACME]")).to_be_visible()
        _shot(lead, "forms-scorecard")

        # 4. An audit planned, conducted with one failed item, the finding closed with its
        # action and evidence, and the audit closed, signed.
        lead.get_by_role("link", name="Audits").click()
        planner = lead.locator("form.plan-audit")
        planner.locator("select[name=supplier]").select_option("ACME")
        planner.locator("input[name=owner]").fill("lena")
        planner.get_by_role("button", name="Plan the audit").click()
        expect(lead).to_have_url(re.compile(rf"{re.escape(base)}/audits/\d+$"))
        conduct = lead.locator("form.conduct-audit")
        conduct.locator("input[name=auditors]").fill("lena, marco")
        conduct.locator("select[name='result:measurement.calibration']").select_option("failed")
        conduct.locator("input[name='found:measurement.calibration']").fill(
            "Two gauges past their calibration date")
        conduct.get_by_role("button", name="Record the checklist results").click()
        expect(lead.locator(".notice")).to_contain_text("1 finding raised")
        close_finding = lead.locator("form.close-finding").first
        close_finding.locator("textarea[name=action]").fill("Both gauges recalibrated.")
        close_finding.locator("textarea[name=evidence]").fill("Certificates C-118, C-119")
        close_finding.get_by_role("button", name=re.compile("^Close finding")).click()
        expect(lead.locator("#finding-table tr[data-status=closed]")).to_contain_text("C-118")
        closing = lead.locator("form.close-audit")
        closing.locator("textarea[name=summary]").fill("Calibration restored.")
        closing.locator("input[name=password]").fill(LEAD_PASSWORD)
        closing.get_by_role("button", name="Close the audit").click()
        expect(lead.locator(".notice")).to_contain_text("signed by lena")
        expect(lead.locator("#audit-state")).to_have_text("closed")
        _shot(lead, "forms-audit")

        # 5. The charge-back statement of the month, with its CSV and printable page.
        lead.get_by_role("link", name="Charge-back").click()
        choice = lead.locator("form.statement-choice")
        choice.locator("select[name=supplier]").select_option("ACME")
        choice.locator("input[name=month]").fill("2026-03")
        choice.get_by_role("button", name="Show the statement").click()
        expect(lead.locator("#statement-lines")).to_contain_text("480.00 EUR")
        expect(lead.locator("#csv-link")).to_be_visible()
        _shot(lead, "forms-chargeback")

        # The lots page on a phone: its tables scroll inside the page.
        lead.set_viewport_size({"width": 390, "height": 844})
        small = lead
        small.goto(f"{base}/lots")
        expect(small.locator("#lots")).to_be_visible()
        _shot(small, "forms-lots-390")

    for name in ("lots", "defects", "scorecard", "audit", "chargeback"):
        assert (SCREENSHOTS / f"forms-{name}.png").stat().st_size > 10_000
