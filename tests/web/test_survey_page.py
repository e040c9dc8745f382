"""The customer's survey page (docs/architecture.md, "Service desk"): one page on a phone,
reached through the signed link of the survey notice, answered once; every refusal (not
valid, another customer's, answered, expired, a score out of range) is its own status and
writes nothing. Walked in Debian's chromium at a phone's size; the refusals over plain HTTP."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from capaflow.accounts.customer_links import survey_token
from capaflow.asgi import create_site
from capaflow.models import Case, CaseEvent
from capaflow.models.db import get_engine
from tests.helpers import snapshot
from tests.servicedesk.survey_support import (
    BASE_URL,
    EXPIRES_AT,
    RESOLVED_AT,
    SECRET,
    Desk,
    customer_id,
    follow_up_of,
    resolved_for,
    service_desk,
    settings,
    survey_link,
    token_of,
)
from tests.web.live import served

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
ANSWERING = RESOLVED_AT + timedelta(days=1)
GOOD = {"solved": "yes", "overall": "4", "nps": "8", "reliability": "4", "assurance": "5",
        "tangibles": "3", "empathy": "5", "responsiveness": "4", "comment": "Thanks!"}
_ALERT = re.compile(r'role="alert" data-field="([^"]*)">([^<]*)<')


def _site(db_url: str, now: datetime = ANSWERING) -> TestClient:
    return TestClient(create_site(settings(db_url, now)), follow_redirects=False)


def _path(link: str) -> str:
    return link.removeprefix(BASE_URL)


def _state(db_url: str, case_id: int) -> str:
    with Session(get_engine(db_url)) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.state


def _alert(answer: httpx.Response) -> tuple[str, str]:
    found = _ALERT.search(answer.text)
    assert found, answer.text
    return found.group(1), found.group(2)


# -- plain HTTP ---------------------------------------------------------------------------------

def test_the_page_shows_the_request_and_a_phone_sized_form_without_signing_in(
    db_url: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Air conditioning broken in room 12")
    with _site(db_url) as browser:
        page = browser.get(_path(survey_link(built, case_id, "A")))
    assert page.status_code == 200
    assert "Air conditioning broken in room 12" in page.text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.text
    for name in ("solved", "overall", "nps", "reliability", "assurance", "tangibles",
                 "empathy", "responsiveness", "comment"):
        assert f'name="{name}"' in page.text, name
    # The token must not leave in a Referer header nor stay in a shared cache.
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


def test_answering_solved_thanks_the_customer_and_closes_the_request(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Heating")
    token = token_of(survey_link(built, case_id, "A"))
    with _site(db_url) as browser:
        sent = browser.post("/survey", data={"t": token, **GOOD})
        assert sent.status_code == 303
        thanks = browser.get(sent.headers["location"])
    assert thanks.status_code == 200 and 'data-outcome="solved"' in thanks.text
    assert _state(db_url, case_id) == "closed"
    answered = follow_up_of(built, case_id)
    assert (answered.overall, answered.nps, answered.tangibles) == (4, 8, 3)
    assert answered.answered_by == "A" and answered.comment == "Thanks!"
    with Session(get_engine(db_url)) as session:
        close = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                             .where(CaseEvent.action == "close")).one()
    # The audit trail names the customer who answered through their link.
    assert close.actor == "customer:A"


def test_answering_not_solved_says_the_request_was_reopened(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Shower")
    token = token_of(survey_link(built, case_id, "A"))
    with _site(db_url) as browser:
        sent = browser.post("/survey", data={"t": token, **GOOD, "solved": "no",
                                             "overall": "2"})
        thanks = browser.get(sent.headers["location"])
    assert 'data-outcome="reopened"' in thanks.text and "reopened" in thanks.text
    assert _state(db_url, case_id) not in ("closed", "follow_up")


@pytest.mark.parametrize(("change", "field"), [
    ({"overall": "6"}, "overall"),
    ({"overall": "0"}, "overall"),
    ({"overall": "four"}, "overall"),
    ({"overall": ""}, "overall"),
    ({"nps": "11"}, "nps"),
    ({"reliability": "0"}, "reliability"),
    ({"empathy": "9"}, "empathy"),
    ({"responsiveness": "-1"}, "responsiveness"),
    ({"solved": "maybe"}, "solved"),
    ({"solved": ""}, "solved"),
])
def test_an_answer_out_of_range_is_422_naming_the_field_and_nothing_is_written(
    db_url: str, change: dict[str, str], field: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Noisy fan")
    token = token_of(survey_link(built, case_id, "A"))
    before = snapshot(db_url)
    with _site(db_url) as browser:
        answer = browser.post("/survey", data={"t": token, **GOOD, **change})
    assert answer.status_code == 422
    assert _alert(answer)[0] == field
    # The form comes back with what was typed.
    assert "Thanks!" in answer.text
    assert snapshot(db_url) == before


def _tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


def test_a_tampered_or_unknown_link_is_404_on_both_get_and_post_and_nothing_is_written(
    db_url: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Window")
    token = token_of(survey_link(built, case_id, "A"))
    before = snapshot(db_url)
    with _site(db_url) as browser:
        for bad in (_tampered(token), "garbage", "", token + "x"):
            assert browser.get("/survey", params={"t": bad}).status_code == 404
            assert browser.post("/survey", data={"t": bad, **GOOD}).status_code == 404
        assert browser.get("/survey", params={"t": "x" * 2000}).status_code in (404, 422)
    assert snapshot(db_url) == before


def test_another_customers_follow_up_is_404_and_nothing_is_written(db_url: str) -> None:
    built = service_desk(db_url)
    resolved_for(built, "A", "Lift of A")
    b_case = resolved_for(built, "B", "Secret request of B")
    theirs = follow_up_of(built, b_case)
    assert theirs.id is not None and theirs.expires_at is not None
    forged = survey_token(SECRET, follow_up_id=theirs.id, customer_id=customer_id(built, "A"),
                          expires_at=theirs.expires_at)
    before = snapshot(db_url)
    with _site(db_url) as browser:
        shown = browser.get("/survey", params={"t": forged})
        posted = browser.post("/survey", data={"t": forged, **GOOD})
    assert shown.status_code == 404 and posted.status_code == 404
    assert "Secret request of B" not in shown.text + posted.text
    assert snapshot(db_url) == before


def test_an_answered_survey_is_409_and_nothing_more_is_written(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Boiler")
    token = token_of(survey_link(built, case_id, "A"))
    with _site(db_url) as browser:
        assert browser.post("/survey", data={"t": token, **GOOD}).status_code == 303
        before = snapshot(db_url)
        again = browser.post("/survey", data={"t": token, **GOOD, "solved": "no"})
        shown = browser.get("/survey", params={"t": token})
    assert again.status_code == 409 and shown.status_code == 409
    assert "already answered" in _alert(again)[1]
    assert snapshot(db_url) == before


def test_an_expired_link_is_410_with_a_clear_page_and_nothing_is_written(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Door")
    token = token_of(survey_link(built, case_id, "A"))
    before = snapshot(db_url)
    with _site(db_url, EXPIRES_AT + timedelta(minutes=1)) as browser:
        shown = browser.get("/survey", params={"t": token})
        posted = browser.post("/survey", data={"t": token, **GOOD})
    assert shown.status_code == 410 and posted.status_code == 410
    assert "expired" in _alert(shown)[1] and "This survey has closed" in shown.text
    assert snapshot(db_url) == before


# -- in a real browser, at a phone's size -------------------------------------------------------


def _walk(browser: Browser, built: Desk, case_id: int) -> None:
    link = survey_link(built, case_id, "A")
    site = create_site(settings(built.url, ANSWERING))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with served(site) as base:
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2)
        page = phone.new_page()
        page.goto(f"{base}{_path(link)}")
        expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
        expect(page.get_by_text("Lobby lights flicker")).to_be_visible()
        # Nothing wider than the phone, and every choice a thumb-sized target.
        body = page.locator("main").bounding_box()
        assert body is not None and body["width"] <= 390
        for choice in page.locator("label.choice span").all():
            box = choice.bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 40
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.screenshot(path=str(SCREENSHOTS / "survey_phone.png"), full_page=True)

        page.locator("label.choice", has_text="No, not solved").tap()
        for name, value in (("overall", "2"), ("nps", "3"), ("reliability", "2"),
                            ("assurance", "3"), ("tangibles", "3"), ("empathy", "1"),
                            ("responsiveness", "2")):
            page.locator(f'fieldset[data-question="{name}"] label.choice',
                         has=page.locator(f'input[value="{value}"]')).tap()
        page.get_by_label("Anything you want to tell us").fill("The lights still flicker.")
        page.get_by_role("button", name="Send my answers").tap()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        expect(page.get_by_text("your request has been reopened")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "survey_phone_thanks.png"))

        # The same link again: answered already.
        page.goto(f"{base}{_path(link)}")
        expect(page.get_by_role("heading", name="Already answered")).to_be_visible()
        phone.close()


@pytest.mark.slow
def test_a_customer_answers_the_survey_on_a_phone_in_chromium(
    browser: Browser, sqlite_url: str
) -> None:
    built = service_desk(sqlite_url)
    case_id = resolved_for(built, "A", "Lobby lights flicker")
    _walk(browser, built, case_id)
    answered = follow_up_of(built, case_id)
    assert (answered.solved, answered.overall, answered.nps, answered.empathy) == (
        False, 2, 3, 1)
    assert answered.comment == "The lights still flicker."
    assert _state(sqlite_url, case_id) not in ("closed", "follow_up")
