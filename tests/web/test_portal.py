"""The supplier portal and the review of submissions: a supplier's people (account or signed
link) see and answer their own cases only; the quality lead accepts or rejects; refusals
write nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from capaflow.accounts import supplier_link
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.casework.engine import advance
from capaflow.config import Settings
from capaflow.models import CaseEvent, Submission, Supplier
from capaflow.models.db import get_engine, session_scope
from capaflow.web.app import COOKIE
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import PASSWORDS, Site, form_token, sign_in

CONTAINMENT = "Sorted 1,200 housings at ACME and at our dock; 14 cracked ones quarantined."
BETA_TEXTS = ("secret problem of BETA", "Cracked housing from BETA", "BETA-P1", "BETA Corp")


def _supplier_id(site: Site, code: str) -> int:
    with session_scope(get_engine(site.url)) as session:
        found = session.exec(select(Supplier).where(Supplier.code == code)).first()
        assert found is not None and found.id is not None
        return found.id


def _link(site: Site, code: str, *, made: timedelta = timedelta(0)) -> str:
    token = supplier_link(site.app.state.web.secret, supplier_id=_supplier_id(site, code),
                          now=T0 + made, valid_for=site.app.state.web.supplier_link_valid)
    return f"/portal/enter?t={token}"


def _submit(site: Site, client: TestClient, code: str, fields: dict[str, str],
            trigger: str = "contain", note: str = "") -> httpx.Response:
    case = site.cases[code]
    data = {"trigger": trigger, "note": note,
            **{f"field.{name}": value for name, value in fields.items()}}
    return site.post_form(client, f"/portal/cases/{case}/submit", data,
                          page=f"/portal/cases/{site.cases['ACME']}")


def _submissions(site: Site) -> list[Submission]:
    with session_scope(get_engine(site.url)) as session:
        rows = list(session.exec(select(Submission).order_by(col(Submission.id))))
        for row in rows:
            session.expunge(row)
        return rows


def _no_beta(body: str) -> None:
    for text in BETA_TEXTS:
        assert text not in body, text


# -- the link ---------------------------------------------------------------------------------

def test_a_link_signs_the_supplier_in_and_shows_only_its_own_cases(site: Site) -> None:
    client = site.anonymous()
    answer = client.get(_link(site, "ACME"))
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    assert answer.headers["referrer-policy"] == "no-referrer"
    portal = client.get("/portal")
    assert portal.status_code == 200
    assert "Cracked housing from ACME" in portal.text
    assert f'href="/portal/cases/{site.cases["ACME"]}"' in portal.text
    _no_beta(portal.text)
    theirs = client.get(f"/portal/cases/{site.cases['BETA']}")
    assert theirs.status_code == 404
    _no_beta(theirs.text)


def test_another_suppliers_link_asks_before_switching_the_link_session(site: Site) -> None:
    client = site.anonymous()
    assert client.get(_link(site, "ACME")).status_code == 303
    beta_link = _link(site, "BETA")
    # Opened from anywhere (a page of another site, say): a question, not a switch.
    asked = client.get(beta_link)
    assert asked.status_code == 200, asked.text
    assert asked.headers["referrer-policy"] == "no-referrer"
    assert "Switch to BETA Corp" in asked.text and 'action="/portal/enter"' in asked.text
    portal = client.get("/portal")
    assert "Cracked housing from ACME" in portal.text
    _no_beta(portal.text)
    # A forged POST without this page's token switches nothing.
    token = beta_link.split("t=", 1)[1]
    forged = client.post("/portal/enter", data={"t": token})
    assert forged.status_code == 403
    forged = client.post("/portal/enter", data={"t": token, "csrf_token": "guessed"})
    assert forged.status_code == 403
    assert "Cracked housing from ACME" in client.get("/portal").text
    # A tampered link is refused on the POST too, and the session stays ACME's.
    refused = client.post("/portal/enter", data={"t": token[:-2],
                                                  "csrf_token": form_token(asked.text)})
    assert refused.status_code == 403
    assert "Cracked housing from ACME" in client.get("/portal").text
    # Confirmed on the page: now BETA's portal, and nothing of ACME's.
    switched = client.post("/portal/enter", data={"t": token,
                                                   "csrf_token": form_token(asked.text)})
    assert switched.status_code == 303 and switched.headers["location"] == "/portal"
    now_beta = client.get("/portal").text
    assert "Cracked housing from BETA" in now_beta
    assert "Cracked housing from ACME" not in now_beta


def test_the_same_suppliers_link_again_needs_no_question(site: Site) -> None:
    client = site.anonymous()
    client.get(_link(site, "ACME"))
    again = client.get(_link(site, "ACME", made=timedelta(minutes=-5)))
    assert again.status_code == 303 and again.headers["location"] == "/portal"


def test_an_expired_link_is_refused_and_starts_no_session(site: Site) -> None:
    client = site.anonymous()
    valid = site.app.state.web.supplier_link_valid
    # Made exactly one validity before the site's now: it expired at now.
    answer = client.get(_link(site, "ACME", made=-valid))
    assert answer.status_code == 403
    assert "this link has expired or is not valid" in answer.text.lower()
    assert "ask the quality team" in answer.text
    assert client.get("/portal").headers["location"].startswith("/login")


def test_a_tampered_link_is_refused_and_starts_no_session(site: Site) -> None:
    link = _link(site, "ACME")
    middle = len(link) - 20
    tampered = link[:middle] + ("A" if link[middle] != "A" else "B") + link[middle + 1:]
    for bad in (tampered, link[:-1], "/portal/enter?t=", "/portal/enter"):
        client = site.anonymous()
        answer = client.get(bad)
        assert answer.status_code == 403, bad
        assert "expired or is not valid" in answer.text
        assert client.get("/portal").status_code == 303  # to sign in: no session


def test_an_expired_session_cookie_from_a_link_does_not_outlive_the_session_policy(
    site: Site, db_url: str
) -> None:
    client = site.anonymous()
    client.get(_link(site, "ACME"))
    later = Settings(database_url=db_url, now=isoformat(T0 + timedelta(hours=13)),
                     routes="no-routes.toml")
    with TestClient(create_site(later), follow_redirects=False,
                    cookies=client.cookies) as tomorrow:
        assert tomorrow.get("/portal").status_code == 303


# -- who may see what -------------------------------------------------------------------------

def test_the_portal_is_for_suppliers_and_staff_pages_are_not(site: Site) -> None:
    assert site.anonymous().get("/portal").headers["location"] == "/login?next=/portal"
    lead = site.signed_in("lead")
    assert lead.get("/portal").headers["location"] == "/"
    case = site.cases["ACME"]
    assert lead.get(f"/portal/cases/{case}").headers["location"] == f"/cases/{case}"
    acme = site.signed_in("acme")
    for path in ("/submissions", "/submissions/1"):
        answer = acme.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/portal", path


def test_the_portal_lists_what_is_owed_by_when_with_overdue_in_red(
    site: Site, db_url: str
) -> None:
    acme = site.signed_in("acme")
    portal = acme.get("/portal")
    assert portal.status_code == 200
    assert "containment" in portal.text and "overdue" not in portal.text
    two_days_on = Settings(database_url=db_url, now=isoformat(T0 + timedelta(days=2)),
                           routes="no-routes.toml")
    with TestClient(create_site(two_days_on), follow_redirects=False) as later:
        assert sign_in(later, "acme", PASSWORDS["acme"]).status_code == 303
        late = later.get("/portal")
        assert f'<tr data-case="{site.cases["ACME"]}" class="overdue">' in late.text
        assert '<span class="badge overdue">overdue</span>' in late.text
        _no_beta(late.text)


def test_another_suppliers_case_page_and_form_are_404_with_nothing_of_it(site: Site) -> None:
    acme = site.signed_in("acme")
    theirs = acme.get(f"/portal/cases/{site.cases['BETA']}")
    missing = acme.get("/portal/cases/999999")
    assert theirs.status_code == missing.status_code == 404
    _no_beta(theirs.text)
    before = snapshot(site.url)
    answer = _submit(site, acme, "BETA", {"containment": CONTAINMENT})
    assert answer.status_code == 404
    _no_beta(answer.text)
    assert snapshot(site.url) == before


# -- the whole loop -----------------------------------------------------------------------------

def test_supplier_submits_containment_and_the_lead_accepts_it(site: Site) -> None:
    acme = site.signed_in("acme")
    case = site.cases["ACME"]
    form = acme.get(f"/portal/cases/{case}")
    assert 'name="field.containment"' in form.text and 'value="contain"' in form.text
    answer = _submit(site, acme, "ACME", {"containment": CONTAINMENT}, note="More tomorrow")
    assert answer.status_code == 303 and answer.headers["location"] == f"/portal/cases/{case}"
    shown = acme.get(f"/portal/cases/{case}")
    assert "sent to the quality team for review" in shown.text  # the flash
    assert "waiting for review" in shown.text and CONTAINMENT in shown.text

    lead = site.signed_in("lead")
    listed = lead.get("/submissions")
    [submission] = _submissions(site)
    assert listed.status_code == 200
    assert f'href="/submissions/{submission.id}"' in listed.text and "ACME" in listed.text
    review = lead.get(f"/submissions/{submission.id}")
    assert CONTAINMENT in review.text and f"/submissions/{submission.id}/accept" in review.text
    accepted = site.post_form(lead, f"/submissions/{submission.id}/accept", {},
                              page=f"/submissions/{submission.id}")
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/cases/{case}"

    with session_scope(get_engine(site.url)) as session:
        event = session.exec(select(CaseEvent).where(CaseEvent.case_id == case)
                             .order_by(col(CaseEvent.seq).desc())).first()
        assert event is not None
        assert (event.action, event.to_state, event.actor) == ("contain", "root_cause", "lead")
        assert event.fields["containment"] == CONTAINMENT
        assert "submitted by acme@supplier:ACME" in (event.note or "")
    after = acme.get(f"/portal/cases/{case}")
    assert "accepted" in after.text and "D4 root cause" in after.text
    # Now the root cause is owed: the form asks for the six 5M1E categories.
    assert 'name="field.category"' in after.text
    for factor in ("man", "machine", "material", "method", "environment", "measurement"):
        assert f'<option value="{factor}"' in after.text


def test_a_rejected_submission_leaves_the_case_and_shows_the_supplier_the_reason(
    site: Site,
) -> None:
    acme = site.signed_in("acme")
    case = site.cases["ACME"]
    assert _submit(site, acme, "ACME", {"containment": CONTAINMENT}).status_code == 303
    [submission] = _submissions(site)
    lead = site.signed_in("lead")
    reason = "Sorting at the dock is not enough: <contain> the stock in transit too."
    answer = site.post_form(lead, f"/submissions/{submission.id}/reject", {"reason": reason},
                            page=f"/submissions/{submission.id}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/cases/{case}"
    [rejected] = _submissions(site)
    assert rejected.status == "rejected" and rejected.reason == reason
    shown = acme.get(f"/portal/cases/{case}")
    assert "not accepted" in shown.text
    assert "Sorting at the dock is not enough: &lt;contain&gt; the stock" in shown.text
    assert 'value="contain"' in shown.text  # still owed: the form is there again
    with session_scope(get_engine(site.url)) as session:
        events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case)).all()
        assert [e.action for e in events] == ["open"]


# -- refusals write nothing ---------------------------------------------------------------------

def test_bad_form_fields_are_422_naming_the_field_keeping_the_input(site: Site) -> None:
    acme = site.signed_in("acme")
    before = snapshot(site.url)
    empty = _submit(site, acme, "ACME", {"containment": "   ", "verification": "kept text"})
    assert empty.status_code == 422
    assert 'data-field="containment"' in empty.text
    assert "kept text" in empty.text
    foreign = _submit(site, acme, "ACME", {"containment": "x", "root_cause": "not now"})
    assert foreign.status_code == 422 and 'data-field="root_cause"' in foreign.text
    nul = _submit(site, acme, "ACME", {"containment": "a\x00b"})
    assert nul.status_code == 422 and 'data-field="containment"' in nul.text
    long_note = _submit(site, acme, "ACME", {"containment": "x"}, note="n" * 10_001)
    assert long_note.status_code == 422 and 'data-field="note"' in long_note.text
    assert snapshot(site.url) == before


def test_a_step_not_owed_is_409_and_a_form_without_its_token_is_403(site: Site) -> None:
    acme = site.signed_in("acme")
    before = snapshot(site.url)
    wrong = _submit(site, acme, "ACME", {"short_term_fix": "x"}, trigger="apply_short_term_fix")
    assert wrong.status_code == 409 and "owed now: contain" in wrong.text
    forged = acme.post(f"/portal/cases/{site.cases['ACME']}/submit",
                       data={"trigger": "contain", "field.containment": CONTAINMENT})
    assert forged.status_code == 403
    assert snapshot(site.url) == before


def test_a_viewer_may_look_but_not_accept_or_reject(site: Site) -> None:
    acme = site.signed_in("acme")
    _submit(site, acme, "ACME", {"containment": CONTAINMENT})
    [submission] = _submissions(site)
    viewer = site.signed_in("viewer")
    shown = viewer.get(f"/submissions/{submission.id}")
    assert shown.status_code == 200 and CONTAINMENT in shown.text
    assert "/accept" not in shown.text and "/reject" not in shown.text
    before = snapshot(site.url)
    token = form_token(shown.text)
    for action, data in (("accept", {}), ("reject", {"reason": "no"})):
        answer = viewer.post(f"/submissions/{submission.id}/{action}",
                             data={**data, "csrf_token": token})
        assert answer.status_code == 403, action
    assert snapshot(site.url) == before


def test_reject_without_a_reason_is_422_naming_it(site: Site) -> None:
    acme = site.signed_in("acme")
    _submit(site, acme, "ACME", {"containment": CONTAINMENT})
    [submission] = _submissions(site)
    lead = site.signed_in("lead")
    before = snapshot(site.url)
    answer = site.post_form(lead, f"/submissions/{submission.id}/reject", {"reason": "  "},
                            page=f"/submissions/{submission.id}")
    assert answer.status_code == 422 and 'data-field="reason"' in answer.text
    assert snapshot(site.url) == before


@pytest.mark.postgres
def test_accepting_after_the_case_moved_on_is_409_and_writes_nothing(site: Site) -> None:
    acme = site.signed_in("acme")
    _submit(site, acme, "ACME", {"containment": CONTAINMENT})
    [submission] = _submissions(site)
    with session_scope(get_engine(site.url)) as session:
        advance(session, case_id=site.cases["ACME"], trigger="contain",
                fields={"containment": "contained by us"}, note=None, actor="lead", now=T0,
                policy=site.app.state.capa.deadline_policy)
    lead = site.signed_in("lead")
    review = lead.get(f"/submissions/{submission.id}")
    assert "has moved on" in review.text
    before = snapshot(site.url)
    answer = lead.post(f"/submissions/{submission.id}/accept",
                       data={"csrf_token": form_token(review.text)})
    assert answer.status_code == 409
    assert snapshot(site.url) == before


def test_the_session_cookie_of_a_link_holds_no_token(site: Site) -> None:
    client = site.anonymous()
    link = _link(site, "ACME")
    client.get(link)
    assert link.split("t=")[1] not in client.cookies.get(COOKIE, "")
