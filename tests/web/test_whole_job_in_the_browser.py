"""Issue 12, "Done when": a quality lead runs the whole supplier-quality job from the web app
and a supplier does everything it owes from the portal — proved in one walk in a real browser
(Debian's chromium, headless, Playwright) against a served site.

The set-up writes only an empty database with the supplier, one quality lead account and one
account of the supplier's quality engineer. After it, no CLI command and no service function
is called: every step below is a click or a form in the browser. The walk: the lead opens an
8D case; the supplier submits containment, root cause, short-term fix and the long-term
countermeasure from its portal, each accepted by the lead from the review queue, one sent
back once with a reason and corrected; a message each way; a file each way; the lead plans
and conducts an audit that raises a finding owed by the supplier; the supplier answers it in
the portal; the lead accepts the answer (the finding closes) and closes the audit, signed.
Screenshots of the key steps: tests/artifacts/screenshots/whole-job-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

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
SUPPLIER_PASSWORD = "acme-password-1"

pytestmark = pytest.mark.slow


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"whole-job-{name}.png"), full_page=True)


def _sign_in(page: Page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _supplier_submits(supplier: Page, title: str, fields: dict[str, str],
                      step: str) -> None:
    """From the portal's list of open requests to the owed step's form, sent for review."""
    supplier.get_by_role("link", name="Open requests", exact=True).click()
    supplier.get_by_role("link", name=title).click()
    form = supplier.locator("form", has=supplier.locator("input[name=trigger]"))
    for name, value in fields.items():
        control = form.locator(f"[name='field.{name}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    form.get_by_role("button", name=re.compile(f"Send {step} for review")).click()
    expect(supplier.locator(".notice").first).to_contain_text("sent to the quality team")


def _lead_reviews(lead: Page, step: str) -> None:
    """From the menu's review queue to the one waiting submission."""
    lead.locator("#menu-submissions").click()
    lead.locator("table.submissions").get_by_role("link", name=step).first.click()


def test_lead_runs_the_whole_job_and_the_supplier_everything_it_owes_in_the_browser(
    browser: Browser, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="Acme Stamping", contact=None,
                     quality_head=None, executive=None, now=T0)
        add_user(session, name="lena", role="quality_lead", password=LEAD_PASSWORD, now=T0)
        add_user(session, name="acme-qe", role="supplier", password=SUPPLIER_PASSWORD,
                 supplier_code="ACME", now=T0)
    site = create_site(Settings(database_url=url, now=isoformat(T0), routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    title = "Burr on bracket edge"

    with served(site) as base:
        lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        supplier = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        lead.set_default_timeout(10_000)
        supplier.set_default_timeout(10_000)
        _sign_in(lead, base, "lena", LEAD_PASSWORD)
        expect(lead).to_have_url(f"{base}/")
        _sign_in(supplier, base, "acme-qe", SUPPLIER_PASSWORD)
        expect(supplier).to_have_url(f"{base}/portal")

        # -- the lead opens the 8D case --------------------------------------------------
        lead.get_by_role("link", name="Cases", exact=True).click()
        lead.get_by_role("link", name=re.compile("Open a case|New case")).first.click()
        lead.get_by_label("Title").fill(title)
        lead.locator("select[name=supplier]").select_option("ACME")
        lead.get_by_label("Part").fill("BRK-220")
        lead.get_by_label("Defect code").fill("BURR")
        lead.locator("textarea[name=problem]").fill("Sharp burr cuts the harness at station 3.")
        lead.get_by_role("button", name="Open the case").click()
        expect(lead).to_have_url(re.compile(rf"{re.escape(base)}/cases/\d+$"))
        case_url = lead.url
        expect(lead.locator(".badge.state")).to_have_text("containment")
        _shot(lead, "1-case-opened")

        # -- containment: accepted -------------------------------------------------------
        _supplier_submits(supplier, title, {
            "containment": "Sorted 2,400 brackets at our site and in transit; 37 rejected."},
            "containment")
        _lead_reviews(lead, "containment")
        lead.get_by_role("button", name=re.compile("^Accept")).click()
        expect(lead.locator(".badge.state")).to_have_text("root cause")

        # -- root cause: sent back once with a reason, corrected, accepted -----------------
        _supplier_submits(supplier, title, {
            "root_cause": "Operator error.", "escape_point": "Final inspection",
            "category": "method"}, "root cause")
        _lead_reviews(lead, "root cause")
        lead.locator("textarea[name=reason]").fill(
            "Operator error is not a root cause: why could the burr happen at all?")
        lead.get_by_role("button", name="Reject").click()
        expect(lead.locator(".notice").first).to_contain_text("back")
        supplier.get_by_role("link", name="Open requests", exact=True).click()
        supplier.get_by_role("link", name=title).click()
        expect(supplier.locator(".reason").first).to_contain_text("not a root cause")
        expect(supplier.locator(".prefilled")).to_be_visible()  # the text is kept to correct
        _shot(supplier, "2-sent-back")
        _supplier_submits(supplier, title, {
            "root_cause": "Punch wear past 0.1 mm: no tool-life limit on press 4.",
            "escape_point": "Final inspection", "category": "machine"}, "root cause")
        _lead_reviews(lead, "root cause")
        expect(lead.get_by_text("Punch wear past 0.1 mm").first).to_be_visible()
        lead.get_by_role("button", name=re.compile("^Accept")).click()
        expect(lead.locator(".badge.state")).to_have_text("short-term fix")

        # -- short-term fix and countermeasure: accepted ------------------------------------
        _supplier_submits(supplier, title, {
            "short_term_fix": "Punch replaced; 100 % edge check at press 4."}, "short-term fix")
        _lead_reviews(lead, "short-term fix")
        lead.get_by_role("button", name=re.compile("^Accept")).click()
        _supplier_submits(supplier, title, {
            "countermeasure": "Tool-life counter stops press 4 at 80,000 strokes."},
            "countermeasure")
        _lead_reviews(lead, "countermeasure")
        lead.get_by_role("button", name=re.compile("^Accept")).click()
        expect(lead).to_have_url(case_url)
        expect(lead.get_by_text("Tool-life counter stops press 4").first).to_be_visible()
        _shot(lead, "3-8d-accepted")

        # -- a message each way ------------------------------------------------------------
        lead.locator("#conversation textarea[name=body]").fill(
            "Please send the tool-life counter's settings.")
        lead.locator("#conversation").get_by_role("button", name="Send to the supplier").click()
        supplier.get_by_role("link", name="Open requests", exact=True).click()
        supplier.get_by_role("link", name=title).click()
        expect(supplier.get_by_text("tool-life counter's settings")).to_be_visible()
        supplier.locator("#conversation textarea[name=body]").fill(
            "Settings attached: 80,000 strokes, stop and alarm.")
        supplier.get_by_role("button", name="Send message").click()
        lead.goto(case_url)
        expect(lead.get_by_text("Settings attached: 80,000 strokes")).to_be_visible()

        # -- a file each way ---------------------------------------------------------------
        lead.locator("#files input[type=file]").set_input_files(files=FilePayload(
            name="drawing-BRK-220.pdf", mimeType="application/pdf",
            buffer=b"%PDF-1.4\n% the bracket's drawing\n%%EOF\n"))
        lead.locator("#files").get_by_role("button", name="Add file").click()
        expect(lead.locator("li.file[data-file='drawing-BRK-220.pdf']")).to_be_visible()
        supplier.reload()
        expect(supplier.locator("li.file[data-file='drawing-BRK-220.pdf']")).to_be_visible()
        supplier.locator("#files input[type=file]").set_input_files(files=FilePayload(
            name="counter-settings.csv", mimeType="text/csv",
            buffer=b"press,limit\n4,80000\n"))
        supplier.locator("#files").get_by_role("button", name="Add file").click()
        lead.reload()
        expect(lead.locator("li.file[data-file='counter-settings.csv']")).to_be_visible()
        _shot(lead, "4-conversation-and-files")

        # -- the lead plans and conducts an audit with a finding owed by the supplier -------
        lead.get_by_role("link", name="Audits", exact=True).click()
        lead.locator("form.plan-audit select[name=supplier]").select_option("ACME")
        lead.locator("form.plan-audit input[name=owner]").fill("lena")
        lead.get_by_role("button", name="Plan the audit").click()
        expect(lead).to_have_url(re.compile(rf"{re.escape(base)}/audits/\d+$"))
        audit_url = lead.url
        conduct = lead.locator("form.conduct-audit")
        conduct.locator("input[name=auditors]").fill("lena")
        conduct.locator("input[name=owner]").fill("ACME quality")
        item = conduct.locator(".item").first
        item.locator("select").select_option("failed")
        item.locator("input[name^='found:']").fill("No training record for 2 press operators.")
        conduct.get_by_role("button", name="Record the checklist results").click()
        expect(lead.locator("#audit-state")).to_have_text("findings being worked")
        _shot(lead, "5-audit-finding")

        # -- the supplier answers it in the portal -----------------------------------------
        supplier.get_by_role("link", name="Open requests", exact=True).click()
        owed = supplier.locator("#owed-findings")
        expect(owed).to_contain_text("No training record for 2 press operators.")
        owed.get_by_role("link", name="answer it").click()
        answer = supplier.locator("form.answer-finding")
        answer.locator("textarea[name=action]").fill(
            "Both operators trained on press 4 and signed off by the shift lead.")
        answer.locator("textarea[name=evidence]").fill("Training records TR-118 and TR-119.")
        answer.get_by_role("button", name=re.compile("Send answer")).click()
        expect(supplier.locator(".notice").first).to_contain_text("sent to the quality team")
        expect(supplier.locator(".finding .badge").last).to_have_text("waiting for review")
        _shot(supplier, "6-finding-answered")
        # The portal's new pages fit a phone (the demo has no open finding for the layout
        # crawl of tests/web/test_phone_layout.py to reach them).
        supplier.set_viewport_size({"width": 390, "height": 844})
        audit_page = supplier.url
        for path in (f"{base}/portal", audit_page):
            supplier.goto(path)
            assert supplier.evaluate("document.documentElement.scrollWidth") <= 390, path
        supplier.set_viewport_size({"width": 1280, "height": 900})

        # -- the lead accepts the answer; the finding closes; the audit closes, signed -------
        _lead_reviews(lead, "audit finding answer")
        expect(lead.locator("#answered-finding")).to_contain_text("No training record")
        lead.get_by_role("button", name=re.compile("^Accept")).click()
        expect(lead).to_have_url(f"{audit_url}#findings")
        expect(lead.locator("#finding-table tr[data-status=closed]")).to_contain_text(
            "Training records TR-118")
        close = lead.locator("form.close-audit")
        close.locator("textarea[name=summary]").fill("Finding closed with training records.")
        close.locator("input[name=password]").fill(LEAD_PASSWORD)
        close.get_by_role("button", name="Close the audit").click()
        expect(lead.locator("#audit-state")).to_have_text("closed")
        _shot(lead, "7-audit-closed")

        supplier.get_by_role("link", name="Open requests", exact=True).click()
        expect(supplier.locator("#owed-findings")).to_contain_text("No audit finding is open")

    for name in ("1-case-opened", "3-8d-accepted", "6-finding-answered", "7-audit-closed"):
        assert (SCREENSHOTS / f"whole-job-{name}.png").stat().st_size > 10_000
