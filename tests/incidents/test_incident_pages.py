"""The incident pages (docs/architecture.md, "Service quality control"): in real headless
Chromium, a service manager declares an incident from /incidents, records a step done, closes
it and records its review on /incidents/{id}; over HTTP, bad form input (422 naming the field,
nothing written), a step done twice (409), and who may do what (agents record steps, viewers
read, suppliers are sent to their portal)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope, upgrade
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import beside_guesses, snapshot
from tests.web.conftest import form_token, sign_in
from tests.web.live import served

ROLES = {"desk": "service_manager", "agent": "service_agent", "viewer": "viewer",
         "acme": "supplier"}
DECLARE = {"type": "power_outage", "severity": "S2", "title": "Hotel A dark",
           "department": "", "drill": ""}


def _password(who: str) -> str:
    return f"{who}-password-1"


def _furnish(url: str) -> None:
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="ACME Corp", contact=None, quality_head=None,
                     executive=None, now=T0)
        for who, role in ROLES.items():
            add_user(session, name=who, role=role, password=_password(who), now=T0,
                     supplier_code="ACME" if role == "supplier" else None)


def _site(url: str) -> FastAPI:
    return create_site(Settings(database_url=url, now=isoformat(T0), routes="no-routes.toml"))


@dataclass
class Site:
    app: FastAPI
    url: str
    clients: list[TestClient] = field(default_factory=list)

    def signed_in(self, who: str) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        client.__enter__()
        self.clients.append(client)
        assert sign_in(client, who, _password(who)).status_code == 303
        return client

    def post(self, client: TestClient, path: str, data: dict[str, Any],
             page: str) -> httpx.Response:
        shown = client.get(page)
        assert shown.status_code == 200, shown.text
        return client.post(path, data={**data, "csrf_token": form_token(shown.text)})

    def refused(self, client: TestClient, path: str, data: dict[str, Any], page: str, *,
                status: int, field: str | None) -> httpx.Response:
        before = beside_guesses(snapshot(self.url))
        answer = self.post(client, path, data, page)
        assert answer.status_code == status, answer.text
        if field is not None:
            assert f'data-field="{field}"' in answer.text, answer.text
        assert beside_guesses(snapshot(self.url)) == before, "a refused form wrote something"
        return answer


@pytest.fixture
def site(db_url: str, fast_password_hashing: None) -> Iterator[Site]:
    _furnish(db_url)
    built = Site(app=_site(db_url), url=db_url)
    try:
        yield built
    finally:
        for client in built.clients:
            client.__exit__(None, None, None)


def _declare(site: Site, client: TestClient, **change: str) -> int:
    answer = site.post(client, "/incidents", {**DECLARE, **change}, "/incidents")
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/incidents/(\d+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


@pytest.mark.parametrize(("change", "field"), [
    ({"type": "flood"}, "type"),
    ({"type": "flood", "drill": "true"}, "type"),
    ({"severity": "S4"}, "severity"),
    ({"department": "spa"}, "department"),
])
def test_a_bad_declaration_shows_the_form_again_naming_the_field_and_writes_nothing(
    site: Site, change: dict[str, str], field: str
) -> None:
    desk = site.signed_in("desk")
    answer = site.refused(desk, "/incidents", {**DECLARE, **change}, "/incidents", status=422,
                          field=field)
    assert "Hotel A dark" in answer.text  # what was typed stays


def test_refused_steps_close_and_review_show_the_page_again(site: Site) -> None:
    desk = site.signed_in("desk")
    iid = _declare(site, desk)
    page = f"/incidents/{iid}"
    site.refused(desk, f"{page}/review", {"cause": "x", "factor": "people", "open": ""}, page,
                 status=409, field="trigger")
    site.refused(desk, f"{page}/close", {"summary": " "}, page, status=422, field="summary")
    assert site.post(desk, f"{page}/steps/1", {"note": ""}, page).status_code == 303
    site.refused(desk, f"{page}/steps/1", {"note": ""}, page, status=409, field="step")
    site.refused(desk, f"{page}/steps/9", {"note": ""}, page, status=422, field="step")
    assert site.post(desk, f"{page}/close", {"summary": "ok"}, page).status_code == 303
    site.refused(desk, f"{page}/review", {"cause": "x", "factor": "luck", "open": ""}, page,
                 status=422, field="factor")
    assert desk.get("/incidents/999").status_code == 404


def test_agents_record_steps_viewers_read_and_suppliers_see_nothing(site: Site) -> None:
    desk = site.signed_in("desk")
    iid = _declare(site, desk)
    page = f"/incidents/{iid}"
    agent = site.signed_in("agent")
    assert 'action="/incidents"' not in agent.get("/incidents").text
    assert site.post(agent, f"{page}/steps/2", {"note": "on site"}, page).status_code == 303
    site.refused(agent, f"{page}/close", {"summary": "x"}, page, status=403, field=None)
    viewer = site.signed_in("viewer")
    shown = viewer.get(page)
    assert shown.status_code == 200 and "Hotel A dark" in shown.text
    assert 'action="/incidents/' not in shown.text
    site.refused(viewer, f"{page}/steps/1", {"note": ""}, page, status=403, field=None)
    supplier = site.signed_in("acme")
    for path in ("/incidents", page):
        answer = supplier.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/portal"



@pytest.mark.slow
def test_a_manager_runs_an_incident_from_declaration_to_review_in_a_real_browser(
    browser: Browser, tmp_path: Path, fast_password_hashing: None
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    _furnish(url)
    with served(_site(url)) as base:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Name").fill("desk")
        page.get_by_label("Password").fill(_password("desk"))
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Incidents").click()
        expect(page).to_have_url(f"{base}/incidents")
        # Never drilled: every plan's drill is due.
        expect(page.locator("tr[data-plan=power_outage] .drill-due")).to_be_visible()
        form = page.locator("form.incident-declare")
        form.locator("select[name=type]").select_option("power_outage")
        form.get_by_label("Severity").fill("S9")
        form.get_by_label("Title").fill("Hotel A dark")
        before = snapshot(url)
        form.get_by_role("button", name="Declare").click()
        expect(page.locator(".error[data-field=severity]")).to_be_visible()
        assert snapshot(url) == before
        page.locator("form.incident-declare").get_by_label("Severity").fill("S1")
        page.locator("form.incident-declare").get_by_role("button", name="Declare").click()
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}/incidents/\d+$"))
        expect(page.locator("#incident-steps tr[data-step]")).to_have_count(4)
        page.locator("tr[data-step='2'] input[name=note]").fill("Generator running")
        page.locator("tr[data-step='2']").get_by_role("button", name="Done").click()
        expect(page.locator("tr[data-step='2']")).to_contain_text("Generator running")
        page.locator("form.incident-close textarea[name=summary]").fill("Power back at 11:00")
        page.get_by_role("button", name="Close the incident").click()
        expect(page.locator("#incident-state")).to_have_text("closed")
        review = page.locator("form.incident-review")
        review.locator("textarea[name=cause]").fill("Worn feeder cable")
        review.locator("select[name=factor]").select_option("machines")
        review.locator("select[name=open]").select_option("8d")
        page.get_by_role("button", name="Record the review").click()
        expect(page.locator("#incident-state")).to_have_text("reviewed")
        expect(page.locator("#incident-review")).to_contain_text("machines")
        page.goto(f"{base}/incidents")
        expect(page.locator("#incidents tr[data-incident]")).to_have_count(1)
