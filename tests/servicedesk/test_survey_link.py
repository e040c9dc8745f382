"""The follow-up survey's signed link (docs/architecture.md, "Service desk"): issued with the
follow-up of a drawn request whose customer has a contact address, kept only as a digest,
sent to the customer through the outbox with the link made at send time, opened once, and
refused (not valid, another customer's, answered, expired) with nothing written."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from capaflow.accounts.customer_links import (
    customer_link,
    survey_link_maker,
    survey_token,
    survey_url,
    token_digest,
)
from capaflow.asgi import create_site
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import Case
from capaflow.models.db import get_engine, session_scope
from capaflow.notifications.dispatch import SURVEY_LINE, dispatch
from capaflow.notifications.notifier import AppriseNotifier, RecordingNotifier
from capaflow.notifications.routing import Routes, load_routes
from capaflow.servicedesk.followup import Answer, answer_survey
from capaflow.servicedesk.requests import advance_request
from capaflow.servicedesk.survey import Survey, SurveyClosed, open_survey
from tests.helpers import capa_json, snapshot
from tests.notifications.conftest import HttpReceiver
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
    survey_notices,
    token_of,
)

ANSWERED_AT = RESOLVED_AT + timedelta(days=1)
GOOD = Answer(solved=True, overall=5, nps=9,
              dimensions={"reliability": 5, "assurance": 4, "tangibles": 4, "empathy": 5,
                          "responsiveness": 5}, comment="Quick and kind.")


def _open(built: Desk, token: str, at: Any = ANSWERED_AT) -> Survey:
    with Session(get_engine(built.url)) as session:
        return open_survey(session, secret=SECRET, token=token, now=at)


def _answer(built: Desk, token: str, answer: Answer = GOOD, at: Any = ANSWERED_AT) -> None:
    with session_scope(get_engine(built.url)) as session:
        answer_survey(session, desk=built.desk, policy=built.policy, secret=SECRET,
                      token=token, answer=answer, now=at)


def _state(built: Desk, case_id: int) -> str:
    with Session(get_engine(built.url)) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.state


# -- issuing ---------------------------------------------------------------------------------

def test_a_drawn_request_keeps_only_the_digest_of_its_survey_link_and_queues_the_notice(
    db_url: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Air conditioning broken in room 12")
    follow_up = follow_up_of(built, case_id)
    assert follow_up.channel == "survey" and follow_up.status == "sent"
    assert follow_up.expires_at == EXPIRES_AT
    link = survey_link(built, case_id, "A")
    assert follow_up.token_digest == token_digest(token_of(link))
    assert re.fullmatch(r"[0-9a-f]{64}", follow_up.token_digest or "")

    [notice] = survey_notices(built)
    assert notice.case_id == case_id and notice.audience == ["customer"]
    assert notice.extra == {"follow_up_id": follow_up.id}
    assert "Air conditioning broken in room 12" in notice.subject
    # Neither the link nor the customer's address is kept in the outbox.
    assert token_of(link) not in notice.body and "/survey" not in notice.body
    assert "127.0.0.1" not in notice.body and "json://" not in notice.body
    assert "7d" not in notice.body and "until" in notice.body


def test_a_customer_without_a_contact_address_is_called_instead_no_link_no_notice(
    db_url: str
) -> None:
    built = service_desk(db_url, contact_a=None)
    case_id = resolved_for(built, "A", "Invoice wrong")
    follow_up = follow_up_of(built, case_id)
    assert follow_up.channel == "phone" and follow_up.token_digest is None
    assert survey_notices(built) == []


def test_the_link_is_the_same_each_time_it_is_made_and_names_follow_up_customer_and_expiry(
    db_url: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Lift stuck")
    assert survey_link(built, case_id, "A") == survey_link(built, case_id, "A")
    assert survey_link(built, case_id, "A").startswith(f"{BASE_URL}/survey?t=")
    survey = _open(built, token_of(survey_link(built, case_id, "A")))
    assert survey.case.id == case_id and survey.customer.code == "A"
    assert survey.follow_up.id == follow_up_of(built, case_id).id


# -- answering once ---------------------------------------------------------------------------

def test_a_survey_answered_solved_closes_the_request_and_cannot_be_answered_again(
    db_url: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Heating off")
    token = token_of(survey_link(built, case_id, "A"))
    _answer(built, token)
    assert _state(built, case_id) == "closed"
    answered = follow_up_of(built, case_id)
    assert answered.status == "answered" and answered.answered_by == "A"
    assert answered.channel == "survey" and answered.overall == 5 and answered.nps == 9
    assert answered.empathy == 5 and answered.comment == "Quick and kind."

    before = snapshot(db_url)
    with pytest.raises(Conflict) as again:
        _answer(built, token, at=ANSWERED_AT + timedelta(minutes=5))
    assert again.value.field == "t" and "already answered" in again.value.message
    with pytest.raises(Conflict):
        _open(built, token)
    assert snapshot(db_url) == before


def test_a_survey_answered_not_solved_reopens_the_request(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Shower leaking")
    _answer(built, token_of(survey_link(built, case_id, "A")),
            Answer(solved=False, overall=2, comment="Still drips."))
    assert _state(built, case_id) not in ("closed", "follow_up")
    assert follow_up_of(built, case_id).solved is False


# -- refusals, nothing written ----------------------------------------------------------------

@pytest.mark.parametrize(("answer", "field"), [
    (Answer(solved=True, overall=6), "overall"),
    (Answer(solved=True, overall=0), "overall"),
    (Answer(solved=True, overall=4, nps=11), "nps"),
    (Answer(solved=True, overall=4, nps=-1), "nps"),
    (Answer(solved=True, overall=4, dimensions={"empathy": 0}), "empathy"),
    (Answer(solved=True, overall=4, dimensions={"responsiveness": 6}), "responsiveness"),
])
def test_a_score_out_of_its_scale_is_refused_naming_it_and_nothing_is_written(
    db_url: str, answer: Answer, field: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Noisy fan")
    token = token_of(survey_link(built, case_id, "A"))
    before = snapshot(db_url)
    with pytest.raises(BadInput) as refused:
        _answer(built, token, answer)
    assert refused.value.field == field
    assert snapshot(db_url) == before
    _answer(built, token)  # the link still works for a good answer
    assert _state(built, case_id) == "closed"


def test_an_expired_link_is_refused_as_closed_and_nothing_is_written(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Door lock")
    token = token_of(survey_link(built, case_id, "A"))
    _open(built, token, at=EXPIRES_AT - timedelta(seconds=1))  # still open a second before
    before = snapshot(db_url)
    with pytest.raises(SurveyClosed) as closed:
        _answer(built, token, at=EXPIRES_AT)
    assert "expired" in closed.value.message
    assert snapshot(db_url) == before


def _tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


def test_a_tampered_forged_or_foreign_token_is_not_found_and_nothing_is_written(
    db_url: str
) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Window")
    token = token_of(survey_link(built, case_id, "A"))
    follow_up = follow_up_of(built, case_id)
    assert follow_up.id is not None and follow_up.expires_at is not None
    bad = [
        _tampered(token),
        token + "x",
        "",
        "not-a-token",
        # Signed with another key.
        survey_token("another-site-key-of-at-least-32-characters!", follow_up_id=follow_up.id,
                     customer_id=customer_id(built, "A"), expires_at=follow_up.expires_at),
        # Our key, but not the link that was issued (a later expiry): its digest differs.
        survey_token(SECRET, follow_up_id=follow_up.id, customer_id=customer_id(built, "A"),
                     expires_at=follow_up.expires_at + timedelta(days=30)),
        # Our key, a follow-up that does not exist.
        survey_token(SECRET, follow_up_id=9999, customer_id=customer_id(built, "A"),
                     expires_at=follow_up.expires_at),
        # The customer's portal link is not a survey link.
        customer_link(SECRET, customer_id=customer_id(built, "A"), now=RESOLVED_AT,
                      valid_for=timedelta(days=14)),
    ]
    before = snapshot(db_url)
    for candidate in bad:
        with pytest.raises(NotFound) as refused:
            _answer(built, candidate)
        assert refused.value.field == "t", candidate
    assert snapshot(db_url) == before


def test_another_customers_follow_up_is_not_found_through_a_link_naming_customer_a(
    db_url: str
) -> None:
    built = service_desk(db_url)
    resolved_for(built, "A", "Request of A")
    theirs = follow_up_of(built, resolved_for(built, "B", "Request of B"))
    assert theirs.id is not None and theirs.expires_at is not None
    # Signed with the site key for customer A, naming B's follow-up.
    forged = survey_token(SECRET, follow_up_id=theirs.id, customer_id=customer_id(built, "A"),
                          expires_at=theirs.expires_at)
    before = snapshot(db_url)
    with pytest.raises(NotFound):
        _answer(built, forged)
    assert snapshot(db_url) == before


def test_a_survey_the_desk_has_moved_past_is_closed(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Boiler")
    token = token_of(survey_link(built, case_id, "A"))
    with session_scope(get_engine(db_url)) as session:
        advance_request(session, desk=built.desk, policy=built.policy, case_id=case_id,
                        trigger="reopen", fields={"reason": "customer called back"},
                        note=None, actor="ana", now=ANSWERED_AT)
    before = snapshot(db_url)
    with pytest.raises(SurveyClosed):
        _answer(built, token, at=ANSWERED_AT + timedelta(hours=1))
    assert snapshot(db_url) == before


# -- sending: the customer role and the link made at send time --------------------------------

def _dispatch(built: Desk, notifier: Any, *, with_links: bool = True) -> Any:
    with Session(get_engine(built.url)) as session:
        return dispatch(
            session, now=RESOLVED_AT + timedelta(minutes=1), notifier=notifier,
            routes=Routes(source="test"), max_attempts=3, backoff_seconds=60, batch_size=50,
            survey_link_for=survey_link_maker(SECRET, base_url=BASE_URL) if with_links
            else None,
        )


def test_the_survey_notice_reaches_the_customer_through_apprise_with_a_link_that_opens(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    built = service_desk(db_url, contact_a=http_receiver.url("customers/a"))
    case_id = resolved_for(built, "A", "Projector in hall B")
    report = _dispatch(built, AppriseNotifier(throttle=False))
    [notice] = survey_notices(built)
    assert notice.id in report.sent_ids and notice.status == "sent"
    [post] = [p for p in http_receiver.posts if p.path == "/customers/a"]
    message = post.body["message"]
    assert "Projector in hall B" in message and f"#{case_id}" in message
    found = re.search(SURVEY_LINE.format(link=r"(\S+)"), message)
    assert found, message
    link = found.group(1)
    assert link == survey_link(built, case_id, "A")
    # The link that arrived opens the survey page on the site.
    with TestClient(create_site(settings(db_url, ANSWERED_AT)),
                    follow_redirects=False) as browser:
        page = browser.get(link.removeprefix(BASE_URL))
    assert page.status_code == 200 and "Projector in hall B" in page.text


def test_a_survey_notice_lists_the_customer_masked_and_needs_the_link_maker_to_go(
    db_url: str
) -> None:
    built = service_desk(db_url, contact_a="json://hook:s3cret-pw@127.0.0.1:9/customers/a")
    resolved_for(built, "A", "Printer")
    listed = capa_json("notify", "list", env={"CAPA_DATABASE_URL": db_url})
    [shown] = [n for n in listed if n["kind"] == "survey"]
    assert shown["audience"] == ["customer"] and shown["unreached_roles"] == []
    [recipient] = shown["recipients"]
    assert "customers/a" in recipient and "s3cret-pw" not in recipient

    recorder = RecordingNotifier()
    report = _dispatch(built, recorder, with_links=False)
    [notice] = survey_notices(built)
    assert notice.id in report.retried_ids and recorder.sent == []
    assert "no survey link maker" in (notice.last_error or "")


def test_a_survey_answered_before_its_notice_went_is_not_sent(db_url: str) -> None:
    built = service_desk(db_url)
    case_id = resolved_for(built, "A", "Parking gate")
    _answer(built, token_of(survey_link(built, case_id, "A")), at=RESOLVED_AT)
    recorder = RecordingNotifier()
    report = _dispatch(built, recorder)
    [notice] = survey_notices(built)
    assert notice.id in report.failed_ids and "no longer open" in (notice.last_error or "")
    assert all("Your survey" not in s.body for s in recorder.sent)


def test_the_routes_file_cannot_name_the_customer_role(tmp_path: Any) -> None:
    path = tmp_path / "routes.toml"
    path.write_text('[roles]\ncustomer = ["json://127.0.0.1:9/x"]\n', encoding="utf-8")
    with pytest.raises(BadInput) as refused:
        load_routes(path)
    assert "roles.customer" in refused.value.message


def test_the_survey_url_puts_the_token_in_the_query() -> None:
    assert survey_url("https://x.example/", "a.b") == "https://x.example/survey?t=a.b"
