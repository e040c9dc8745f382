"""The service quality pages (docs/architecture.md, "Service quality control"): in real
headless Chromium a quality lead opens a round, records it with a failed item (first leaving
an item without a result: refused naming `item`, nothing written), sees the score, and closes
the finding, which closes the round; over HTTP, bad form input (422 naming the field, nothing
written), viewers read without forms and suppliers see none of it."""

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
from tests.cli.support import ok
from tests.conftest import T0
from tests.helpers import snapshot
from tests.standards.support import ALL_PASS, EXAMPLE
from tests.web.conftest import form_token, sign_in
from tests.web.live import served

PASSWORDS = {"lead": "lead-password-1", "agent": "agent-password-1",
             "viewer": "view-password-1", "acme": "acme-password-1"}
ROLES = {"lead": "quality_lead", "agent": "service_agent", "viewer": "viewer",
         "acme": "supplier"}


def _furnish(url: str) -> None:
    ok(url, "standard", "import", str(EXAMPLE), now=T0)
    ok(url, "person", "add", "Maria", "--team", "field", "--lead", now=T0)
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="ACME Corp", contact=None, quality_head=None,
                     executive=None, now=T0)
        for who, role in ROLES.items():
            add_user(session, name=who, role=role, password=PASSWORDS[who], now=T0,
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
        answer = sign_in(client, who, PASSWORDS[who])
        assert answer.status_code == 303, answer.text
        return client

    def post(self, client: TestClient, path: str, data: dict[str, Any],
             page: str) -> httpx.Response:
        shown = client.get(page)
        assert shown.status_code == 200, shown.text
        return client.post(path, data={**data, "csrf_token": form_token(shown.text)})

    def refused(self, client: TestClient, path: str, data: dict[str, Any], page: str, *,
                status: int, field: str) -> httpx.Response:
        before = snapshot(self.url)
        answer = self.post(client, path, data, page)
        assert answer.status_code == status, answer.text
        assert f'data-field="{field}"' in answer.text, answer.text
        assert snapshot(self.url) == before, "a refused form wrote something"
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


def _record_form(**failed: str) -> dict[str, str]:
    form = {f"result.{code}": "pass" for code in ALL_PASS}
    for code in failed:
        form[f"result.{code.replace('_', '-')}"] = "fail"
    return form


def test_a_round_is_recorded_and_its_finding_closed_through_the_forms(site: Site) -> None:
    lead = site.signed_in("lead")
    opened = site.post(lead, "/rounds", {"position": "field_service/technician",
                                         "inspector": "Ines", "due": ""}, "/rounds")
    assert opened.status_code == 303, opened.text
    round_path = opened.headers["location"]
    assert re.fullmatch(r"/rounds/\d+", round_path)
    recorded = site.post(lead, f"{round_path}/record",
                         {**_record_form(FS_02="fail"), "note.FS-02": "no badge"}, round_path)
    assert recorded.status_code == 303, recorded.text
    shown = lead.get(round_path).text
    assert 'id="score">92.31<' in shown and "no badge" in shown
    findings = lead.get("/findings").text
    finding = re.search(r'data-finding="(\d+)"', findings)
    assert finding is not None
    agent = site.signed_in("agent")
    closed = site.post(agent, f"/findings/{finding.group(1)}/close",
                       {"action": "Badges reissued"}, "/findings")
    assert closed.status_code == 303, closed.text
    assert 'id="state">closed<' in lead.get(round_path).text


def test_bad_form_input_is_named_and_writes_nothing(site: Site) -> None:
    lead = site.signed_in("lead")
    site.refused(lead, "/rounds", {"position": "nowhere/technician", "inspector": "Ines",
                                   "due": ""}, "/rounds", status=422, field="department")
    site.refused(lead, "/rounds", {"position": "field_service/technician", "inspector": "Ines",
                                   "due": "soon"}, "/rounds", status=422, field="due")
    opened = site.post(lead, "/rounds", {"position": "field_service/technician",
                                         "inspector": "Ines", "due": ""}, "/rounds")
    path = opened.headers["location"]
    missing = _record_form()
    del missing["result.FS-07"]
    site.refused(lead, f"{path}/record", missing, path, status=422, field="item")
    site.post(lead, f"{path}/record", _record_form(FS_01="fail"), path)
    site.refused(lead, f"{path}/record", _record_form(), path, status=409, field="trigger")
    finding = re.search(r'data-finding="(\d+)"', lead.get("/findings").text)
    assert finding is not None
    site.refused(lead, f"/findings/{finding.group(1)}/close", {"action": "  "}, "/findings",
                 status=422, field="action")


def test_viewers_read_without_forms_and_suppliers_see_nothing(site: Site) -> None:
    lead = site.signed_in("lead")
    opened = site.post(lead, "/rounds", {"position": "field_service/technician",
                                         "inspector": "Ines", "due": ""}, "/rounds")
    path = opened.headers["location"]
    viewer = site.signed_in("viewer")
    for page in ("/standards", "/standards/field_service/technician", "/rounds", path,
                 "/findings"):
        shown = viewer.get(page)
        assert shown.status_code == 200, (page, shown.text)
        assert "<form method=\"post\" action=\"/rounds" not in shown.text
    before = snapshot(site.url)
    token = form_token(viewer.get(path).text)
    assert viewer.post(f"{path}/record", data={**_record_form(), "csrf_token": token}
                       ).status_code == 403
    assert snapshot(site.url) == before
    supplier = site.signed_in("acme")
    for page in ("/standards", "/rounds", path, "/findings"):
        answer = supplier.get(page)
        assert answer.status_code in (303, 403, 404), (page, answer.status_code)
        assert "FS-01" not in answer.text



def test_a_quality_lead_inspects_in_a_real_browser(
    browser: Browser, tmp_path: Path, fast_password_hashing: None
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    _furnish(url)
    with served(_site(url)) as base:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Name").fill("lead")
        page.get_by_label("Password").fill(PASSWORDS["lead"])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Inspections").click()
        expect(page).to_have_url(f"{base}/rounds")
        page.locator("select[name=position]").select_option("field_service/technician")
        page.get_by_label("Inspector").fill("Ines")
        page.get_by_role("button", name="Open round").click()
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}/rounds/\d+$"))

        # Every item but one answered: refused naming the item, nothing written.
        for code in ALL_PASS:
            if code != "FS-07":
                verdict = "fail" if code == "FS-03" else "pass"
                page.locator(f"input[name='result.{code}'][value={verdict}]").check()
        page.locator("input[name='note.FS-03']").fill("Unit opened live")
        before = snapshot(url)
        page.get_by_role("button", name="Record the round").click()
        expect(page.locator(".error[data-field=item]")).to_be_visible()
        assert snapshot(url) == before
        page.locator("input[name='result.FS-07'][value=pass]").check()
        page.get_by_role("button", name="Record the round").click()
        # A critical item failed: 100 − 1 = 0.
        expect(page.locator("#score")).to_have_text("0")
        expect(page.locator("#state")).to_have_text("recorded")
        expect(page.locator("#findings tr[data-finding]")).to_have_count(1)

        page.goto(f"{base}/findings")
        page.get_by_label("What was done").fill("Lock-out retrained, checked on site")
        page.get_by_role("button", name="Close").click()
        expect(page.locator("#closed-findings tr[data-finding]")).to_have_count(1)
        page.get_by_role("link", name=re.compile(r"#\d+")).first.click()
        expect(page.locator("#state")).to_have_text("closed")
