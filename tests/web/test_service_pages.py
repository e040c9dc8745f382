"""The service desk's staff pages (issue 10, "Pages" and the staff intake form): in real
headless Chromium (Debian's chromium through Playwright), an agent takes a request in through
the intake form and takes it to closed through the request page (acknowledge, hold, resume,
escalate, resolve, the follow-up call), and cancels another with a signature; over HTTP, the
form token, bad form input (422 naming the field, nothing written) and who may do what."""

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
from playwright.sync_api import Browser, Page, expect

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope, upgrade
from capaflow.runtime.root import Runtime
from capaflow.servicedesk.register import add_customer, add_person
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import beside_guesses, snapshot
from tests.web.conftest import form_token, sign_in
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PASSWORDS = {"agent": "agent-password-1", "viewer": "view-password-1",
             "lead": "lead-password-1", "acme": "acme-password-1"}
ROLES = {"agent": "service_agent", "viewer": "viewer", "lead": "quality_lead",
         "acme": "supplier"}


def _furnish(url: str) -> None:
    """Users of each kind, a key customer, and one person on the desk and office teams."""
    desk = Runtime(settings=Settings(database_url=url)).service_desk
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="ACME Corp", contact=None, quality_head=None,
                     executive=None, now=T0)
        for who, role in ROLES.items():
            add_user(session, name=who, role=role, password=PASSWORDS[who], now=T0,
                     supplier_code="ACME" if role == "supplier" else None)
        add_customer(session, desk=desk, code="KEY1", name="Key Account One", tier="key",
                     contact=None, now=T0)
        add_person(session, name="ann", team="desk", skills=None, lead=True, now=T0)
        add_person(session, name="olga", team="office", skills=None, lead=True, now=T0)


def _site(url: str) -> FastAPI:
    return create_site(Settings(database_url=url, now=isoformat(T0), routes="no-routes.toml"))


# -- over HTTP ---------------------------------------------------------------------------------

@dataclass
class Desk:
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
                status: int, field: str | None) -> httpx.Response:
        # A wrong password's miss is counted on purpose (accounts.throttle); nothing else.
        before = beside_guesses(snapshot(self.url))
        answer = self.post(client, path, data, page)
        assert answer.status_code == status, answer.text
        if field is not None:
            assert f'data-field="{field}"' in answer.text, answer.text
        assert beside_guesses(snapshot(self.url)) == before, "a refused form wrote something"
        return answer


@pytest.fixture
def desk(db_url: str, fast_password_hashing: None) -> Iterator[Desk]:
    _furnish(db_url)
    built = Desk(app=_site(db_url), url=db_url)
    try:
        yield built
    finally:
        for client in built.clients:
            client.__exit__(None, None, None)


INTAKE = {"customer": "KEY1", "kind": "complaint", "severity": "S3", "category": "billing",
          "channel": "phone", "title": "Invoice charged twice",
          "description": "March invoice debited twice.", "assignee": ""}


def _take_in(desk: Desk, client: TestClient, **change: str) -> int:
    answer = desk.post(client, "/service", {**INTAKE, **change}, "/service/new")
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/service/(\d+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


@pytest.mark.parametrize(("change", "field"), [
    ({"customer": "NOPE"}, "customer"),
    ({"severity": "S9"}, "severity"),
    ({"category": "weather"}, "category"),
    ({"kind": "rumour"}, "kind"),
    ({"title": "   "}, "title"),
    ({"assignee": "nobody"}, "assignee"),
])
def test_bad_intake_shows_the_form_again_naming_the_field_and_writes_nothing(
    desk: Desk, change: dict[str, str], field: str
) -> None:
    agent = desk.signed_in("agent")
    answer = desk.refused(agent, "/service", {**INTAKE, **change}, "/service/new", status=422,
                          field=field)
    assert "Invoice charged twice" in answer.text or field == "title"  # what was typed stays


def test_a_form_without_its_token_is_refused_and_writes_nothing(desk: Desk) -> None:
    agent = desk.signed_in("agent")
    rid = _take_in(desk, agent)
    before = snapshot(desk.url)
    for path, data in (("/service", INTAKE),
                       (f"/service/{rid}/steps", {"trigger": "acknowledge", "version": "3",
                                                  "field.response": "hello"}),
                       (f"/service/{rid}/follow-up", {"solved": "yes", "overall": "5"})):
        assert agent.post(path, data=data).status_code == 403
        assert agent.post(path, data={**data, "csrf_token": "forged"}).status_code == 403
    assert snapshot(desk.url) == before


def test_refused_steps_show_the_page_again_naming_the_field(desk: Desk) -> None:
    agent = desk.signed_in("agent")
    rid = _take_in(desk, agent)
    page, path = f"/service/{rid}", f"/service/{rid}/steps"
    shown = agent.get(page).text
    current = re.search(r'name="version" value="(\d+)"', shown)
    assert current
    v = current.group(1)
    desk.refused(agent, path, {"trigger": "hold", "version": v, "field.reason": " "}, page,
                 status=422, field="reason")
    desk.refused(agent, path, {"trigger": "acknowledge", "version": str(int(v) - 1),
                               "field.response": "Called back."}, page, status=409, field=None)
    desk.refused(agent, path, {"trigger": "escalate", "version": v, "field.severity": "S4"},
                 page, status=422, field="severity")
    desk.refused(agent, path, {"trigger": "cancel", "version": v,
                               "field.reason": "Twice.", "password": "wrong-password"},
                 page, status=422, field="password")
    desk.refused(agent, f"/service/{rid}/follow-up", {"solved": "yes", "overall": "5"}, page,
                 status=409, field="request")


def test_readers_see_the_desk_without_forms_and_suppliers_see_nothing(desk: Desk) -> None:
    agent = desk.signed_in("agent")
    rid = _take_in(desk, agent)
    for who in ("viewer", "lead"):
        reader = desk.signed_in(who)
        queue = reader.get("/service")
        assert queue.status_code == 200 and "Invoice charged twice" in queue.text
        shown = reader.get(f"/service/{rid}")
        assert shown.status_code == 200 and 'action="/service/' not in shown.text
        assert reader.get("/service/new").status_code == 403
        desk.refused(reader, f"/service/{rid}/steps",
                     {"trigger": "acknowledge", "version": "3", "field.response": "hi"},
                     f"/service/{rid}", status=403, field=None)
    supplier = desk.signed_in("acme")
    for path in ("/service", f"/service/{rid}", "/service/new", "/service/customers",
                 "/service/people"):
        answer = supplier.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    assert supplier.get("/portal").status_code == 200


# -- in a real browser -------------------------------------------------------------------------


def _step(page: Page, trigger: str, fields: dict[str, str], *, select: bool = False,
          password: str | None = None) -> None:
    step = page.locator(f"details.step[data-trigger={trigger}]")
    step.locator("summary").click()
    for name, value in fields.items():
        target = step.locator(f"[name='field.{name}']")
        if select:
            target.select_option(value)
        else:
            target.fill(value)
    if password is not None:
        step.locator("input[name=password]").fill(password)
    step.locator("button[type=submit]").click()


@pytest.mark.slow
def test_an_agent_takes_a_request_from_intake_to_closed_in_a_real_browser(
    browser: Browser, tmp_path: Path, fast_password_hashing: None
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    _furnish(url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with served(_site(url)) as base:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/login")
        page.get_by_label("Name").fill("agent")
        page.get_by_label("Password").fill(PASSWORDS["agent"])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Service desk").click()
        expect(page).to_have_url(f"{base}/service")

        # Intake, first with a blank title (spaces pass the browser's check, not the desk's).
        page.goto(f"{base}/service/new")
        page.locator("select[name=customer]").select_option("KEY1")
        page.locator("select[name=kind]").select_option("complaint")
        page.locator("select[name=severity]").select_option("S3")
        page.locator("select[name=category]").select_option("billing")
        page.locator("select[name=channel]").select_option("phone")
        page.get_by_label("Title").fill("   ")
        page.get_by_label("Description").fill("March invoice debited twice.")
        before = snapshot(url)
        page.get_by_role("button", name="Take the request in").click()
        expect(page.locator(".error[data-field=title]")).to_be_visible()
        assert snapshot(url) == before
        page.get_by_label("Title").fill("Invoice charged twice")
        page.get_by_role("button", name="Take the request in").click()
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}/service/\d+$"))
        rid = int(page.url.rsplit("/", 1)[1])
        expect(page.locator(".badge.state")).to_have_text("dispatched")
        expect(page.locator("td.assignee")).to_contain_text("olga")  # the office team

        _step(page, "acknowledge", {"response": "Called back: checking with accounts."})
        expect(page.locator(".badge.state")).to_have_text("in progress")
        _step(page, "hold", {"reason": "Waiting for the customer's bank statement."})
        expect(page.locator(".on-hold")).to_be_visible()
        expect(page.locator("#clocks tr[data-clock=resolution] td").nth(1)).to_contain_text(
            "ON HOLD")

        # The queue shows it, its clocks on hold.
        page.goto(f"{base}/service")
        row = page.locator(f"tr[data-request='{rid}']")
        expect(row).to_contain_text("Invoice charged twice")
        expect(row.locator("[data-clock=resolution]")).to_contain_text("ON HOLD")
        page.screenshot(path=str(SCREENSHOTS / "service-queue.png"), full_page=True)
        row.get_by_role("link", name=f"#{rid}").click()

        _step(page, "resume", {})
        expect(page.locator(".on-hold")).to_have_count(0)
        _step(page, "escalate", {"severity": "S2"}, select=True)
        expect(page.locator("td.severity")).to_contain_text("S2")
        _step(page, "resolve", {"resolution": "The second debit was refunded."})
        # A key customer is always followed up; without a contact address, by phone.
        expect(page.locator(".badge.state")).to_have_text("follow up")
        form = page.locator("#follow-up")
        form.locator("select[name=solved]").select_option("yes")
        form.locator("select[name=overall]").select_option("5")
        form.locator("select[name=nps]").select_option("9")
        form.locator("select[name=empathy]").select_option("5")
        form.locator("textarea[name=comment]").fill("Quick refund, thank you.")
        form.get_by_role("button", name="Record the follow-up").click()
        expect(page.locator(".badge.state")).to_have_text("closed")
        expect(page.locator("#follow-ups")).to_contain_text("Quick refund")
        for action in ("open", "dispatch", "acknowledge", "hold", "resume", "escalate",
                       "resolve", "follow_up", "close"):
            expect(page.locator(f"tr[data-action={action}]").first).to_be_attached()
        page.screenshot(path=str(SCREENSHOTS / "service-request.png"), full_page=True)

        # Another request, cancelled: a signed decision.
        page.goto(f"{base}/service/new")
        page.locator("select[name=customer]").select_option("KEY1")
        page.locator("select[name=severity]").select_option("S4")
        page.locator("select[name=category]").select_option("general")
        page.get_by_label("Title").fill("Opened twice by mistake")
        page.get_by_role("button", name="Take the request in").click()
        expect(page.locator("td.assignee")).to_contain_text("ann")
        _step(page, "cancel", {"reason": "A duplicate of the request before."},
              password=PASSWORDS["agent"])
        expect(page.locator(".badge.state")).to_have_text("cancelled")
        expect(page.locator("p.signature[data-signed-by=agent]")).to_be_visible()


def _queue_ids(client: TestClient, query: str = "") -> list[int]:
    answer = client.get(f"/service{query}")
    assert answer.status_code == 200, answer.text
    return [int(n) for n in re.findall(r'<tr data-request="(\d+)"', answer.text)]


def test_the_queue_puts_the_nearest_sla_due_first_and_filters(desk: Desk) -> None:
    agent = desk.signed_in("agent")
    # Key tier, around the clock: an S4 answers within 8 h, an S1 within 30 min.
    wish = _take_in(desk, agent, severity="S4", category="general", title="A wish")
    down = _take_in(desk, agent, severity="S1", title="Billing portal down")
    late = _take_in(desk, agent, severity="S3", category="general", title="A question")
    assert _queue_ids(agent) == [down, late, wish]
    # Held: its clocks stop, and it goes below every running one.
    shown = agent.get(f"/service/{down}").text
    version = re.search(r'name="version" value="(\d+)"', shown)
    assert version
    held = desk.post(agent, f"/service/{down}/steps",
                     {"trigger": "hold", "version": version.group(1),
                      "field.reason": "Waiting on the customer."}, f"/service/{down}")
    assert held.status_code == 303, held.text
    assert _queue_ids(agent) == [late, wish, down]
    assert "ON HOLD" in agent.get("/service").text
    assert _queue_ids(agent, "?team=office") == [down]
    assert _queue_ids(agent, "?state=received") == []
    assert _queue_ids(agent, "?mine=true") == []  # dispatched to ann and olga, not the agent
    assert agent.get("/service?state=lost").status_code == 422
