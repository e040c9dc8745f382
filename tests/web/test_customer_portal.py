"""The customer portal (docs/architecture.md, "Service desk"): `capa customer link` prints a
signed, expiring link; through it a customer sees only their own requests (state, severity,
SLA due, follow-up) and opens new ones (channel portal, through the desk's intake). Customer A
never sees B's requests: every route with A's session and B's ids answers 404. Refusals write
nothing. Walked in Debian's chromium; the refusals over plain HTTP."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from sqlmodel import Session, col, select

from capaflow.accounts.customer_links import customer_link, customer_portal_url
from capaflow.asgi import create_site
from capaflow.models import CaseEvent, Customer, ServiceRequest
from capaflow.models.db import get_engine
from tests.conftest import T0
from tests.helpers import capa, snapshot
from tests.servicedesk.survey_support import (
    BASE_URL,
    SECRET,
    Desk,
    customer_id,
    open_for,
    resolved_for,
    service_desk,
    settings,
)
from tests.web.conftest import form_token
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
NOW = T0 + timedelta(hours=3)
B_TITLE = "Confidential outage at B"
NEW = {"kind": "inquiry", "category": "billing", "severity": "S4",
       "title": "Invoice 4711 counts two visits", "description": "We had one visit in May."}


@pytest.fixture
def desk(db_url: str) -> Desk:
    built = service_desk(db_url)
    open_for(built, "A", "Broken heater at A")
    resolved_for(built, "A", "Lift inspection at A")
    open_for(built, "B", B_TITLE)
    return built


def customer_id_of(db_url: str, code: str) -> int:
    with Session(get_engine(db_url)) as session:
        found = session.exec(select(Customer).where(Customer.code == code)).one()
        assert found.id is not None
        return found.id


def _ids(db_url: str, code: str) -> list[int]:
    """The request numbers of one customer."""
    with Session(get_engine(db_url)) as session:
        return list(session.exec(
            select(ServiceRequest.case_id)
            .where(ServiceRequest.customer_id == customer_id_of(db_url, code))
            .order_by(col(ServiceRequest.case_id))))


def _link(db_url: str, code: str, *, made: datetime = T0, days: int = 14) -> str:
    token = customer_link(SECRET, customer_id=customer_id_of(db_url, code), now=made,
                          valid_for=timedelta(days=days))
    return customer_portal_url(BASE_URL, token).removeprefix(BASE_URL)


def _client(db_url: str, now: datetime = NOW) -> TestClient:
    return TestClient(create_site(settings(db_url, now)), follow_redirects=False)


def _entered(client: TestClient, db_url: str, code: str) -> None:
    entered = client.get(_link(db_url, code))
    assert entered.status_code == 303 and entered.headers["location"] == "/customer"
    assert entered.headers["referrer-policy"] == "no-referrer"


# -- the link -----------------------------------------------------------------------------------

def test_capa_customer_link_prints_a_signed_link_that_opens_the_customers_portal(
    desk: Desk
) -> None:
    env = {"CAPA_DATABASE_URL": desk.url, "CAPA_SECRET_KEY": SECRET, "CAPA_BASE_URL": BASE_URL}
    result = capa("customer", "link", "A", "--valid", "2d", "--now", T0.isoformat(),
                  "--json", env=env)
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["customer"] == "A"
    assert document["valid_until"] == (T0 + timedelta(days=2)).isoformat()
    assert document["link"].startswith(f"{BASE_URL}/customer/enter?t=")
    with _client(desk.url) as client:
        entered = client.get(document["link"].removeprefix(BASE_URL))
        assert entered.status_code == 303
        portal = client.get("/customer")
    assert portal.status_code == 200 and "Broken heater at A" in portal.text
    # Past its two days, the same link no longer opens anything.
    with _client(desk.url, T0 + timedelta(days=2)) as client:
        assert client.get(document["link"].removeprefix(BASE_URL)).status_code == 403
    plain = capa("customer", "link", "A", "--now", T0.isoformat(), env=env)
    assert plain.exit_code == 0 and "/customer/enter?t=" in plain.stdout


@pytest.mark.parametrize(("args", "code", "field"), [
    (("customer", "link", "NOPE"), 3, "customer"),
    (("customer", "link", "A", "--valid", "0d"), 2, "valid"),
    (("customer", "link", "A", "--valid", "3bd"), 2, "valid"),
    (("customer", "link", "A", "--valid", "soon"), 2, "valid"),
])
def test_capa_customer_link_refuses_bad_input_naming_the_field_and_writes_nothing(
    desk: Desk, args: tuple[str, ...], code: int, field: str
) -> None:
    before = snapshot(desk.url)
    result = capa(*args, "--json", env={"CAPA_DATABASE_URL": desk.url})
    assert result.exit_code == code, result.stdout
    assert json.loads(result.stdout or result.stderr)["error"]["field"] == field
    assert snapshot(desk.url) == before


def test_a_tampered_expired_or_survey_link_does_not_open_the_portal(desk: Desk) -> None:
    good = _link(desk.url, "A")
    middle = len(good) - 10
    tampered = good[:middle] + ("A" if good[middle] != "A" else "B") + good[middle + 1:]
    expired = _link(desk.url, "A", made=NOW - timedelta(days=15))
    before = snapshot(desk.url)
    with _client(desk.url) as client:
        for bad in (tampered, expired, "/customer/enter?t=garbage", "/customer/enter"):
            answer = client.get(bad)
            assert answer.status_code == 403, bad
            assert "cannot be used" in answer.text
        # No session came of it.
        assert client.get("/customer").status_code == 403
    assert snapshot(desk.url) == before


# -- what a customer sees -----------------------------------------------------------------------

def test_the_portal_shows_only_the_customers_own_requests_with_state_severity_sla_follow_up(
    desk: Desk
) -> None:
    with _client(desk.url) as client:
        _entered(client, desk.url, "A")
        portal = client.get("/customer")
    assert portal.status_code == 200
    assert "Broken heater at A" in portal.text and "Lift inspection at A" in portal.text
    assert B_TITLE not in portal.text
    for request_id in _ids(desk.url, "B"):
        assert f'data-request="{request_id}"' not in portal.text
    assert "A question or a wish" in portal.text  # the severities with their titles
    assert "Resolution:" in portal.text  # the SLA due of the open request
    assert "survey sent to you" in portal.text  # the resolved one's follow-up
    assert "follow up" in portal.text  # its state


def test_every_route_with_a_session_of_customer_a_answers_404_for_b_s_requests(
    desk: Desk
) -> None:
    theirs = _ids(desk.url, "B")
    assert theirs
    before = snapshot(desk.url)
    with _client(desk.url) as client:
        _entered(client, desk.url, "A")
        for request_id in [*theirs, 99999]:
            answer = client.get(f"/customer/requests/{request_id}")
            assert answer.status_code == 404, request_id
            assert B_TITLE not in answer.text
        mine = _ids(desk.url, "A")[0]
        assert client.get(f"/customer/requests/{mine}").status_code == 200
    assert snapshot(desk.url) == before


def test_a_customer_session_opens_no_staff_supplier_or_api_page(desk: Desk) -> None:
    with _client(desk.url) as client:
        _entered(client, desk.url, "A")
        assert client.get("/").headers.get("location", "").startswith("/login")
        assert client.get("/portal").headers.get("location", "").startswith("/login")
        assert client.get("/api/v1/cases").status_code == 401


def test_without_a_link_the_portal_is_refused(desk: Desk) -> None:
    with _client(desk.url) as client:
        assert client.get("/customer").status_code == 403
        assert client.get(f"/customer/requests/{_ids(desk.url, 'A')[0]}").status_code == 403
        assert client.post("/customer/requests", data=NEW).status_code == 403


# -- opening a request --------------------------------------------------------------------------

def test_a_customer_opens_a_request_from_the_portal_through_the_desks_intake(
    desk: Desk
) -> None:
    with _client(desk.url) as client:
        _entered(client, desk.url, "A")
        token = form_token(client.get("/customer").text)
        sent = client.post("/customer/requests", data={**NEW, "csrf_token": token})
        assert sent.status_code == 303
        shown = client.get(sent.headers["location"])
    assert shown.status_code == 200 and NEW["title"] in shown.text
    assert "was received" in shown.text
    case_id = int(sent.headers["location"].rsplit("/", 1)[1])
    with Session(get_engine(desk.url)) as session:
        request = session.get(ServiceRequest, case_id)
        assert request is not None
        assert request.customer_id == customer_id_of(desk.url, "A")
        assert (request.channel, request.kind, request.severity, request.category) == (
            "portal", "inquiry", "S4", "billing")
        opened = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                              .where(CaseEvent.action == "open")).one()
        assert opened.actor == "customer:A"


@pytest.mark.parametrize(("change", "field"), [
    ({"severity": "S9"}, "severity"),
    ({"category": "rockets"}, "category"),
    ({"kind": "praise"}, "kind"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 301}, "title"),
])
def test_a_bad_request_is_422_naming_the_field_and_nothing_is_written(
    desk: Desk, change: dict[str, str], field: str
) -> None:
    with _client(desk.url) as client:
        _entered(client, desk.url, "A")
        token = form_token(client.get("/customer").text)
        before = snapshot(desk.url)
        answer = client.post("/customer/requests", data={**NEW, **change, "csrf_token": token})
    assert answer.status_code == 422
    found = re.search(r'role="alert" data-field="([^"]*)"', answer.text)
    assert found and found.group(1) == field
    assert NEW["description"] in answer.text  # what was typed comes back
    assert snapshot(desk.url) == before


def test_a_form_without_its_token_is_refused_and_nothing_is_written(desk: Desk) -> None:
    with _client(desk.url) as client:
        _entered(client, desk.url, "A")
        before = snapshot(desk.url)
        forged = client.post("/customer/requests", data={**NEW, "csrf_token": "forged"})
        missing = client.post("/customer/requests", data=NEW)
    assert forged.status_code == 403 and missing.status_code == 403
    assert snapshot(desk.url) == before


# -- in a real browser --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_customer_sees_their_requests_and_opens_one_in_chromium(
    browser: Browser, sqlite_url: str
) -> None:
    built = service_desk(sqlite_url)
    open_for(built, "A", "Broken heater at A")
    b_id = open_for(built, "B", B_TITLE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with served(create_site(settings(sqlite_url, NOW))) as base:
        context = browser.new_context(viewport={"width": 1024, "height": 900})
        page = context.new_page()
        page.goto(f"{base}{_link(sqlite_url, 'A')}")
        expect(page).to_have_url(f"{base}/customer")
        expect(page.get_by_role("link", name="Broken heater at A")).to_be_visible()
        expect(page.get_by_text(B_TITLE)).to_have_count(0)

        page.get_by_label("What is it?").select_option("complaint")
        page.get_by_label("About").select_option("repair")
        page.get_by_label("How serious is it?").select_option("S2")
        page.get_by_label("Title").fill("Cold room compressor stopped")
        page.get_by_label("Description").fill("Since 06:00; 400 kg of stock at risk.")
        page.get_by_role("button", name="Send the request").click()
        expect(page.get_by_role("heading", name=re.compile("Cold room compressor stopped"))
               ).to_be_visible()
        expect(page.get_by_text("was received")).to_be_visible()
        expect(page.get_by_text("S2 · Major")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "customer_request.png"), full_page=True)

        page.goto(f"{base}/customer")
        expect(page.get_by_role("link", name="Cold room compressor stopped")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "customer_portal.png"), full_page=True)

        # B's request by its number: not found, and nothing of it shown.
        answer = page.goto(f"{base}/customer/requests/{b_id}")
        assert answer is not None and answer.status == 404
        expect(page.get_by_text(B_TITLE)).to_have_count(0)
        context.close()
    assert customer_id(built, "A") != customer_id(built, "B")
