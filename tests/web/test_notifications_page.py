"""The outbox page: notices filtered by status (failed first by default), recipients masked,
and a failed notice put back in line by a writer, as `capa notify retry` does."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Notification
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import Site
from tests.web.test_overview import open_8d

SECRET = "s3cret-pass"


@pytest.fixture
def outbox(site: Site, policy: DeadlinePolicy) -> Iterator[dict[str, int]]:
    """The notices of the fixture's two openings (pending), one of them failed, one sent, and
    a GAMMA case whose supplier contact URL carries a password."""
    with session_scope(get_engine(site.url)) as session:
        add_supplier(session, code="GAMMA", name="Gamma Ltd",
                     contact=f"mailtos://quality:{SECRET}@gamma.example", quality_head=None,
                     executive=None, now=T0)
        gamma = open_8d(session, policy, title="Loose screw", at=T0, supplier="GAMMA")
        notices = list(session.exec(select(Notification).order_by(col(Notification.id))))
        by_case = {n.case_id: n for n in notices}
        failed = by_case[site.cases["ACME"]]
        failed.status, failed.attempts = "failed", 5
        failed.last_error = "json://****: connection refused"
        failed.next_attempt_at = None
        sent = by_case[site.cases["BETA"]]
        sent.status, sent.attempts, sent.sent_at = "sent", 1, T0
        session.add(failed)
        session.add(sent)
        session.flush()
        assert failed.id is not None and sent.id is not None
        found = {"failed": failed.id, "sent": sent.id, "pending": by_case[gamma].id or 0,
                 "gamma": gamma}
    yield found


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-notice="(\d+)"', html)]


def row(html: str, notice_id: int) -> str:
    start = html.index(f'<tr data-notice="{notice_id}"')
    return html[start:html.index("</tr>", start)]


def stored(site: Site, notice_id: int) -> Notification:
    with session_scope(get_engine(site.url)) as session:
        notice = session.get(Notification, notice_id)
        assert notice is not None
        session.expunge(notice)
        return notice


def test_failed_notices_come_first_by_default(site: Site, outbox: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/notifications").text
    # The failed one is the oldest, yet first; then newest first.
    assert listed(html) == [outbox["failed"], outbox["pending"], outbox["sent"]]
    failed = row(html, outbox["failed"])
    assert f'href="/cases/{site.cases["ACME"]}"' in failed
    assert "case moved" in failed and "connection refused" in failed
    assert re.search(r'<td class="count">5</td>', failed)  # attempts
    assert "3 notice(s), 1 pending, 1 sent, 1 failed" in html


@pytest.mark.parametrize(("status", "expected"),
                         [("sent", "sent"), ("pending", "pending"), ("failed", "failed"),
                          (" FAILED ", "failed"), ("sending", None), ("", "all")])
def test_the_outbox_filters_by_status(site: Site, outbox: dict[str, int], status: str,
                                      expected: str | None) -> None:
    answer = site.signed_in("viewer").get("/notifications", params={"status": status})
    assert answer.status_code == 200
    shown = listed(answer.text)
    if expected == "all":
        assert len(shown) == 3
    elif expected is None:
        assert shown == [] and "No notices sending." in answer.text
    else:
        assert shown == [outbox[expected]]


@pytest.mark.parametrize("status", ["lost", "x" * 500, "pending;drop"])
def test_an_unknown_status_is_a_422_naming_the_field(site: Site, outbox: dict[str, int],
                                                      status: str) -> None:
    before = snapshot(site.url)
    answer = site.signed_in("lead").get("/notifications", params={"status": status})
    assert answer.status_code == 422
    assert 'data-field="status"' in answer.text and "is not a notice status" in answer.text
    assert '<select name="status">' in answer.text  # the filter, to put it right
    assert listed(answer.text) == []
    assert snapshot(site.url) == before


def test_recipients_are_shown_masked(site: Site, outbox: dict[str, int]) -> None:
    html = site.signed_in("lead").get("/notifications").text
    assert SECRET not in html
    gamma = row(html, outbox["pending"])
    assert "mailtos://quality:****@gamma.example" in gamma
    # No routes file: the owner reaches nobody, and the page says why.
    assert "unreached: owner" in gamma


def test_a_writer_retries_a_failed_notice_as_the_cli_does(site: Site,
                                                          outbox: dict[str, int]) -> None:
    lead = site.signed_in("lead")
    page = "/notifications?status=failed"
    html = lead.get(page).text
    form = row(html, outbox["failed"])
    assert f'action="/notifications/{outbox["failed"]}/retry"' in form
    assert 'name="csrf_token"' in form
    assert "retry" not in row(lead.get("/notifications").text, outbox["sent"])
    answer = site.post_form(lead, f"/notifications/{outbox['failed']}/retry",
                            {"status": "failed"}, page=page)
    assert answer.status_code == 303 and answer.headers["location"] == page
    notice = stored(site, outbox["failed"])
    assert (notice.status, notice.attempts, notice.last_error) == ("pending", 0, None)
    assert notice.next_attempt_at == T0
    after = lead.get(page).text
    assert f"Notice {outbox['failed']} is pending again" in after
    assert listed(after) == []


def test_retrying_an_unknown_notice_is_a_404_and_a_bad_id_a_422(
        site: Site, outbox: dict[str, int]) -> None:
    lead = site.signed_in("lead")
    before = snapshot(site.url)
    unknown = site.post_form(lead, "/notifications/9999/retry", {}, page="/notifications")
    assert unknown.status_code == 404 and 'data-field="notice"' in unknown.text
    for bad in ("abc", "0", str(2**40)):
        answer = site.post_form(lead, f"/notifications/{bad}/retry", {}, page="/notifications")
        assert answer.status_code == 422, bad
        assert 'data-field="notice_id"' in answer.text
    assert snapshot(site.url) == before


def test_retrying_a_notice_that_has_not_failed_is_a_conflict(
        site: Site, outbox: dict[str, int]) -> None:
    lead = site.signed_in("lead")
    before = snapshot(site.url)
    answer = site.post_form(lead, f"/notifications/{outbox['sent']}/retry", {},
                            page="/notifications")
    assert answer.status_code == 409 and "only a failed notice can be retried" in answer.text
    assert snapshot(site.url) == before


def test_a_viewer_sees_no_retry_form_and_is_refused_with_nothing_written(
        site: Site, outbox: dict[str, int]) -> None:
    viewer = site.signed_in("viewer")
    html = viewer.get("/notifications").text
    assert outbox["failed"] in listed(html)
    assert "/retry" not in html and 'class="retry"' not in html
    before = snapshot(site.url)
    answer = site.post_form(viewer, f"/notifications/{outbox['failed']}/retry", {},
                            page="/notifications")
    assert answer.status_code == 403
    assert snapshot(site.url) == before


def test_a_retry_without_the_form_token_is_refused(site: Site, outbox: dict[str, int]) -> None:
    lead = site.signed_in("lead")
    before = snapshot(site.url)
    answer = lead.post(f"/notifications/{outbox['failed']}/retry", data={})
    assert answer.status_code == 403 and 'data-field="csrf_token"' in answer.text
    assert snapshot(site.url) == before


def test_a_supplier_is_sent_to_its_portal_and_retries_nothing(
        site: Site, outbox: dict[str, int]) -> None:
    acme = site.signed_in("acme")
    answer = acme.get("/notifications")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    before = snapshot(site.url)
    # No page of the quality team gives a supplier a form, so it has no token for this one:
    # refused at the token, before anything else is looked at.
    posted = acme.post(f"/notifications/{outbox['failed']}/retry", data={"csrf_token": "x"})
    assert posted.status_code == 403
    assert "connection refused" not in posted.text
    assert snapshot(site.url) == before
