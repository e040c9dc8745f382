"""The nonconformance list in a real browser at a phone's width (390 px): each defect's class
and the rule's reason shown, a merge of defects of two suppliers refused naming `defects` with
nothing written, then a merge of one supplier's defects into one case, the emptied case
cancelled with the lead's signature (docs/architecture.md, "Defect triage"). A viewer sees the
list without the forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.intake import IntakePolicy, record_defect
from capaflow.models import Case
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
LEAD_PASSWORD = "lead-password-1"

pytestmark = pytest.mark.slow


def _world(url: str, policy: object) -> dict[str, int]:
    defects: dict[str, int] = {}
    with session_scope(get_engine(url)) as session:
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Castings", contact=None,
                         quality_head=None, executive=None, now=T0)
        add_user(session, name="lena", role="quality_lead", password=LEAD_PASSWORD, now=T0)
        add_user(session, name="vic", role="viewer", password="viewer-password-1", now=T0)
        for name, supplier, code, qty in (("crack", "ACME", "CRACK", 12),
                                          ("burr", "ACME", "BURR", 1),
                                          ("beta", "BETA", "BURR", 1)):
            result = record_defect(
                session, supplier_code=supplier, part="HSG-100", defect_code=code,
                quantity=qty, occurred_at=T0, source="line", note=None, actor="lena", now=T0,
                policy=policy, intake_policy=IntakePolicy())  # type: ignore[arg-type]
            assert result.defect.id is not None
            defects[name] = result.defect.id
    return defects


def test_the_list_shows_why_and_merges_defects_into_one_case(
    browser: Browser, sqlite_url: str, policy: object,
) -> None:
    defects = _world(sqlite_url, policy)
    site = create_site(Settings(database_url=sqlite_url, now=isoformat(T0),
                                routes="no-routes.toml"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with served(site) as base:
        lead = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        lead.goto(f"{base}/login")
        lead.get_by_label("Name").fill("lena")
        lead.get_by_label("Password").fill(LEAD_PASSWORD)
        lead.get_by_role("button", name="Sign in").click()
        lead.get_by_role("link", name="Nonconformances").click()
        crack = lead.locator(f"tr[data-defect='{defects['crack']}']")
        expect(crack.locator("td.classified")).to_have_text("batch → case #1")
        expect(crack.locator("td.why")).to_have_text(
            "by the rule: 12 defective pieces, at least 10")
        expect(lead.locator(f"tr[data-defect='{defects['burr']}'] td.classified")
               ).to_have_text("sporadic → case #2")
        # The list's own part of the page stays phone-wide: the table scrolls in its box.
        # (The menu above it is the site-wide phone layout's, another part's work.)
        width = lead.evaluate("document.querySelector('.nc').scrollWidth")
        assert width <= 390, width

        # Two suppliers in one case: refused, the field named, nothing written.
        before = snapshot(sqlite_url)
        for name in ("crack", "beta"):
            lead.get_by_label(f"choose defect {defects[name]}").check()
        lead.get_by_label("Reason (kept in the audit trail)").fill("same lot")
        lead.get_by_role("button", name="Merge into one case").click()
        expect(lead.locator("p.error[data-field=defects]")).to_contain_text("2 suppliers")
        assert snapshot(sqlite_url) == before

        # One supplier's two defects into case #1: case #2 is left empty and cancelled, signed.
        lead.get_by_label(f"choose defect {defects['beta']}").uncheck()
        lead.get_by_label(f"choose defect {defects['burr']}").check()
        lead.get_by_label("Merge into case number (empty: open one)").fill("1")
        lead.get_by_label("Your password (only asked for when a case is cancelled: a signed "
                          "decision)").fill(LEAD_PASSWORD)
        lead.get_by_role("button", name="Merge into one case").click()
        expect(lead.locator(".flash, [role=status]").first).to_contain_text(
            "2 defect(s) merged into case #1; cancelled case(s) #2, signed by lena")
        expect(lead.locator(f"tr[data-defect='{defects['burr']}'] td.classified")
               ).to_have_text("sporadic → case #1")
        lead.screenshot(path=str(SCREENSHOTS / "nonconformances-390.png"), full_page=True)

        # A viewer reads the list but is offered no action.
        viewer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        viewer.goto(f"{base}/login")
        viewer.get_by_label("Name").fill("vic")
        viewer.get_by_label("Password").fill("viewer-password-1")
        viewer.get_by_role("button", name="Sign in").click()
        viewer.goto(f"{base}/defects")
        expect(viewer.locator("table#defects")).to_be_visible()
        expect(viewer.get_by_role("button", name="Merge into one case")).to_have_count(0)
    with session_scope(get_engine(sqlite_url)) as session:
        cancelled = session.get(Case, 2)
        assert cancelled is not None and cancelled.state == "cancelled"

