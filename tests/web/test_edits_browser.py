"""Changes after opening in a real browser (docs/architecture.md, "Edits and extensions"):
the supplier asks for more time on its countermeasure from the portal, the lead approves it
on the case page with the password re-entered, the due date moves and the case history shows
the decision; an edit signed with a wrong password writes nothing. Screenshots at 390 px
(a phone) go to tests/artifacts/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlmodel import select

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.casework.engine import advance, open_case
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import CaseEvent, Deadline
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
LEAD_PASSWORD = "lead-password-1"
SUPPLIER_PASSWORD = "acme-password-1"
D = timedelta(days=1)
PHONE: ViewportSize = {"width": 390, "height": 844}

pytestmark = pytest.mark.slow


def _sign_in(page: Page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _countermeasure_due(url: str, case_id: int) -> object:
    with session_scope(get_engine(url)) as session:
        return session.exec(select(Deadline.due_at).where(Deadline.case_id == case_id)
                            .where(Deadline.key == "long_term_countermeasure")).one()


def test_supplier_asks_for_more_time_lead_approves_signed_and_a_wrong_password_edit_writes_nothing(
    browser: Browser, sqlite_url: str, policy: DeadlinePolicy, fast_password_hashing: None,
) -> None:
    with session_scope(get_engine(sqlite_url)) as session:
        add_supplier(session, code="ACME", name="Acme Stamping", contact=None,
                     quality_head=None, executive=None, now=T0)
        add_user(session, name="lena", role="quality_lead", password=LEAD_PASSWORD, now=T0)
        add_user(session, name="acme-sqe", role="supplier", password=SUPPLIER_PASSWORD,
                 now=T0, supplier_code="ACME")
        case_id = open_case(
            session, lifecycle="8d", title="Cracked housing", supplier_code="ACME",
            part="BRK-1", defect_code="CRACK", severity="major", complex_cause=False,
            owner="lena", team=None, problem=None, actor="lena", now=T0, policy=policy,
        ).case.id
        assert case_id is not None
        for trigger, fields in (("contain", {"containment": "Sorted"}),
                                ("find_root_cause", {"root_cause": "Die worn", "category":
                                                     "machine", "escape_point": "Press 4"}),
                                ("apply_short_term_fix", {"short_term_fix": "Deburr"})):
            advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                    actor="lena", now=T0, policy=policy)
    assert _countermeasure_due(sqlite_url, case_id) == T0 + 7 * D
    site = create_site(Settings(database_url=sqlite_url, now=isoformat(T0 + D),
                                routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    until = (T0 + 20 * D).date()

    with served(site) as base:
        supplier = browser.new_context(viewport=PHONE).new_page()
        _sign_in(supplier, base, "acme-sqe", SUPPLIER_PASSWORD)
        supplier.goto(f"{base}/portal/cases/{case_id}")
        supplier.get_by_role("link", name="Ask for more time on an obligation").click()
        supplier.get_by_label("What you need more time for").select_option(
            "long_term_countermeasure")
        supplier.get_by_label("New date you propose").fill(until.isoformat())
        supplier.get_by_label("Why you need it").fill("The new die arrives on the 18th.")
        supplier.screenshot(path=str(SCREENSHOTS / "portal_extension_390.png"), full_page=True)
        supplier.get_by_role("button", name="Send the request").click()
        expect(supplier.get_by_text("was sent to the quality team")).to_be_visible()

        lead = browser.new_context(viewport=PHONE).new_page()
        _sign_in(lead, base, "lena", LEAD_PASSWORD)
        expect(lead.locator(".extensions-waiting")).to_contain_text(
            "1 request for more time waiting for your decision")
        lead.goto(f"{base}/cases/{case_id}")
        expect(lead.locator("#changes")).to_contain_text("The new die arrives on the 18th.")
        lead.locator("#changes").get_by_role("link", name="Decide").click()
        lead.get_by_label("Reason for your decision").fill("Plausible plan, die ordered.")
        lead.get_by_label("Your password").fill(LEAD_PASSWORD)
        lead.get_by_role("button", name="Approve and sign").click()
        expect(lead.get_by_text(re.compile("granted; the supplier is told"))).to_be_visible()
        expect(lead.locator("body")).to_contain_text("extension approved")
        lead.screenshot(path=str(SCREENSHOTS / "case_extension_approved_390.png"),
                        full_page=True)
        moved = _countermeasure_due(sqlite_url, case_id)
        assert moved is not None and moved.date() == until  # type: ignore[attr-defined]

        # An edit signed with a wrong password: the form again, the field named, nothing
        # written (the wrong password is counted by the throttle, in its own table).
        before = snapshot(sqlite_url)
        lead.goto(f"{base}/cases/{case_id}/edit")
        lead.get_by_label("Cause complexity").select_option("complex")
        lead.get_by_label("Why the case is changed").fill("Two causes")
        lead.get_by_label("Your password").fill("not-my-password")
        lead.get_by_role("button", name="Save the change and sign").click()
        expect(lead.locator("p.error[data-field=password]")).to_be_visible()
        lead.screenshot(path=str(SCREENSHOTS / "case_edit_refused_390.png"), full_page=True)
        after = snapshot(sqlite_url)
        before.pop("password_throttles"), after.pop("password_throttles")
        assert after == before
        with session_scope(get_engine(sqlite_url)) as session:
            actions = session.exec(select(CaseEvent.action)
                                   .where(CaseEvent.case_id == case_id)).all()
        assert "edited" not in actions and "extension_approved" in actions
