"""The work items' and spot-checks' pages (docs/architecture.md, "Service quality control"):
a check recorded on /work/{id} in order, a review on /spotchecks, refusals shown naming the
field with nothing written, readers without forms, suppliers sent to their portal; and the
same in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope, upgrade
from capaflow.runtime.root import Runtime
from capaflow.servicedesk.register import add_person
from capaflow.spotchecks.draw import draw_week
from capaflow.workchecks.items import open_item
from tests.cli.support import ok
from tests.conftest import T0
from tests.spotchecks.support import STANDARD, close_requests
from tests.web.live import served
from tests.web.test_service_pages import PASSWORDS, Desk, _furnish, _site
from tests.web.test_service_pages import desk as desk

WEEK = "2026-W09"  # the week before T0


def _furnish_checks(url: str, tmp: Path) -> tuple[int, int]:
    """People of three teams, a work item, a drawn week with a standard: (item, spot-check)."""
    runtime = Runtime(settings=Settings(database_url=url))
    with session_scope(get_engine(url)) as session:
        add_person(session, name="fay", team="field", skills=None, lead=False, now=T0)
        add_person(session, name="lea", team="field", skills=None, lead=True, now=T0)
        add_person(session, name="sam", team="office", skills="specialist", lead=False, now=T0)
        item = open_item(session, policies=runtime.policies, policy=runtime.deadline_policy,
                         title="Install boiler", department="field_service", team="field",
                         request_id=None, actor="agent", now=T0)
    close_requests(url, {"fay": 3}, start=datetime(2026, 2, 23, tzinfo=UTC))
    path = tmp / "technician.toml"
    path.write_text(STANDARD, encoding="utf-8")
    ok(url, "standard", "import", str(path), now=T0)
    with session_scope(get_engine(url)) as session:
        drawn = draw_week(session, policies=runtime.policies, policy=runtime.deadline_policy,
                          week=WEEK, seed=None, actor="desk", now=T0)
        spot = drawn.spot_checks[0].case_id
    assert item.case.id is not None
    return item.case.id, spot


def test_checks_and_reviews_through_the_pages_with_refusals_naming_the_field(
    desk: Desk, tmp_path: Path,
) -> None:
    item, spot = _furnish_checks(desk.url, tmp_path)
    agent = desk.signed_in("agent")
    page = f"/work/{item}"
    assert "Record the self check" in agent.get(page).text
    desk.refused(agent, f"{page}/check", {"level": "mutual", "result": "pass", "by": "ann"},
                 page, status=409, field="level")
    desk.refused(agent, f"{page}/check", {"level": "self", "result": "pass", "by": "ann"},
                 page, status=422, field="by")
    done = desk.post(agent, f"{page}/check", {"level": "self", "result": "pass", "by": "fay"},
                     page)
    assert done.status_code == 303
    assert "Record the mutual check" in agent.get(page).text
    week_page = f"/spotchecks?week={WEEK}"
    shown = agent.get(week_page)
    assert shown.status_code == 200 and f'id="review-{spot}"' in shown.text
    desk.refused(agent, f"/spotchecks/{spot}/review", {"item:FS-01": "pass", "by": "lea"},
                 week_page, status=422, field="item")
    reviewed = desk.post(agent, f"/spotchecks/{spot}/review", {
        "item:FS-01": "pass", "item:FS-02": "pass", "item:FS-03": "fail", "by": "lea"},
        week_page)
    assert reviewed.status_code == 303
    assert f'data-spotcheck="{spot}" data-state="reviewed"' in agent.get(week_page).text
    viewer = desk.signed_in("viewer")
    assert 'action="/work/' not in viewer.get(page).text
    assert viewer.get("/work").status_code == 200
    desk.refused(viewer, f"{page}/check", {"level": "mutual", "result": "pass", "by": "sam"},
                 page, status=403, field=None)
    supplier = desk.signed_in("acme")
    for path in ("/work", page, "/spotchecks", week_page):
        answer = supplier.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/portal"



@pytest.mark.slow
def test_an_agent_records_a_failed_mutual_check_and_a_review_in_a_real_browser(
    browser: Browser, tmp_path: Path, fast_password_hashing: None,
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    _furnish(url)
    item, spot = _furnish_checks(url, tmp_path)
    with served(_site(url)) as base:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Name").fill("agent")
        page.get_by_label("Password").fill(PASSWORDS["agent"])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Work checks").click()
        page.get_by_role("link", name=str(item), exact=True).click()
        for by, result in (("fay", "pass"), ("ann", "fail")):
            page.locator("select[name=by]").select_option(by)
            page.locator("select[name=result]").select_option(result)
            page.get_by_role("button", name="Record").click()
        expect(page.locator("#state")).to_have_text("rework")
        expect(page.locator("#checks tbody tr")).to_have_count(2)
        expect(page.get_by_role("heading", name="Record the self check")).to_be_visible()
        page.goto(f"{base}/spotchecks?week={WEEK}")
        review = page.locator(f"#review-{spot}")
        review.locator("select[name='item:FS-02']").select_option("fail")
        review.locator("select[name=by]").select_option("lea")
        review.get_by_role("button", name="Record the review").click()
        expect(page.locator(f"tr[data-spotcheck='{spot}']")).to_have_attribute(
            "data-state", "reviewed")
