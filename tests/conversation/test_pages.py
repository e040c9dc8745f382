"""The conversation and what a supplier owes, on the pages (docs/architecture.md, "The
supplier conversation"): the lead's case page and the supplier's portal. Access: a supplier
never reads another's thread nor an internal note; a viewer reads and cannot post; a bad
message is refused naming `body` with the text kept and nothing written. A sent-back
submission comes back pre-filled; a written cause report is submitted from the portal and
reviewed as any submission; a blacklisted supplier is told."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Case, Submission, Supplier
from capaflow.models.db import get_engine, session_scope
from capaflow.scorecards.cause_report import open_cause_report
from capaflow.suppliers.registry import add_supplier
from tests.api.conftest import _open
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import PASSWORDS, Site


@pytest.fixture
def site(sqlite_url: str, policy: DeadlinePolicy, fast_password_hashing: None) -> Iterator[Site]:
    # SQLite only (tests/conftest.py, sqlite_url): pages over the services db_url proves twice.
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="lead", role="quality_lead", password=PASSWORDS["lead"], now=T0)
        add_user(session, name="viewer", role="viewer", password=PASSWORDS["viewer"], now=T0)
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Corp", contact=None,
                         quality_head=None, executive=None, now=T0)
            add_user(session, name=code.lower(), role="supplier",
                     password=PASSWORDS[code.lower()], now=T0, supplier_code=code)
        cases = {code: _open(session, code, policy) for code in ("ACME", "BETA")}
    settings = Settings(database_url=sqlite_url, now=isoformat(T0), routes="no-routes.toml")
    built = Site(app=create_site(settings), url=sqlite_url, cases=cases)
    try:
        yield built
    finally:
        for client in built.clients:
            client.__exit__(None, None, None)


def _post(site: Site, client: Any, path: str, page: str, **data: str) -> Any:
    return site.post_form(client, path, data, page=page)


def test_lead_message_and_internal_note_and_the_supplier_reply_each_side_sees_its_own(
    site: Site,
) -> None:
    case = site.cases["ACME"]
    lead, acme = site.signed_in("lead"), site.signed_in("acme")
    sent = _post(site, lead, f"/cases/{case}/comments", f"/cases/{case}",
                 body="Which lots did you ship since Monday?")
    assert sent.status_code == 303 and sent.headers["location"].endswith("#conversation")
    _post(site, lead, f"/cases/{case}/comments", f"/cases/{case}",
          body="Their sorting was sloppy last time.", internal="yes")
    replied = _post(site, acme, f"/portal/cases/{case}/comments", f"/portal/cases/{case}",
                    body="L-17 and L-18; both are on hold now.")
    assert replied.status_code == 303

    portal = acme.get(f"/portal/cases/{case}").text
    assert "Which lots did you ship since Monday?" in portal
    assert "L-17 and L-18" in portal
    assert "sloppy" not in portal and "internal note" not in portal
    page = lead.get(f"/cases/{case}").text
    for text in ("Which lots did you ship", "sloppy", "internal note", "L-17 and L-18"):
        assert text in page


def test_another_suppliers_thread_is_404_and_its_form_writes_nothing(site: Site) -> None:
    _post(site, site.signed_in("lead"), f"/cases/{site.cases['BETA']}/comments",
          f"/cases/{site.cases['BETA']}", body="BETA's private question")
    acme = site.signed_in("acme")
    before = snapshot(site.url)
    beta = site.cases["BETA"]
    assert acme.get(f"/portal/cases/{beta}").status_code == 404
    refused = _post(site, acme, f"/portal/cases/{beta}/comments", "/portal", body="hello")
    assert refused.status_code == 404 and "BETA's private question" not in refused.text
    assert snapshot(site.url) == before


def test_a_viewer_sees_the_thread_without_a_form_and_posting_is_403_writing_nothing(
    site: Site,
) -> None:
    case = site.cases["ACME"]
    _post(site, site.signed_in("lead"), f"/cases/{case}/comments", f"/cases/{case}",
          body="A note for the team", internal="yes")
    viewer = site.signed_in("viewer")
    page = viewer.get(f"/cases/{case}").text
    assert "A note for the team" in page and f'action="/cases/{case}/comments"' not in page
    before = snapshot(site.url)
    refused = _post(site, viewer, f"/cases/{case}/comments", f"/cases/{case}", body="mine")
    assert refused.status_code == 403
    assert snapshot(site.url) == before


@pytest.mark.parametrize("who", ["lead", "acme"])
def test_a_blank_or_too_long_message_is_422_naming_body_keeping_the_text_writing_nothing(
    site: Site, who: str,
) -> None:
    case = site.cases["ACME"]
    client = site.signed_in(who)
    where = f"/cases/{case}" if who == "lead" else f"/portal/cases/{case}"
    before = snapshot(site.url)
    blank = _post(site, client, f"{where}/comments", where, body="   ")
    assert blank.status_code == 422 and 'data-field="body"' in blank.text
    long = "w" * 5001
    too_long = _post(site, client, f"{where}/comments", where, body=long)
    assert too_long.status_code == 422 and 'data-field="body"' in too_long.text
    assert long in too_long.text  # kept for the person to shorten
    assert snapshot(site.url) == before


def test_the_portal_shows_the_problem_description_and_the_defect_facts(site: Site) -> None:
    page = site.signed_in("acme").get(f"/portal/cases/{site.cases['ACME']}").text
    assert "secret problem of ACME" in page  # D2, as the lead wrote it
    assert 'data-fact="part">ACME-P1' in page and 'data-fact="defect">CRACK' in page


def test_a_sent_back_submission_comes_back_prefilled_with_its_text(site: Site) -> None:
    case = site.cases["ACME"]
    acme, lead = site.signed_in("acme"), site.signed_in("lead")
    typed = "Sorted 900 housings in our warehouse; 12 cracked ones quarantined."
    sent = _post(site, acme, f"/portal/cases/{case}/submit", f"/portal/cases/{case}",
                 trigger="contain", **{"field.containment": typed}, note="more tomorrow")
    assert sent.status_code == 303
    with session_scope(get_engine(site.url)) as session:
        submission = session.exec(select(Submission)).one()
        sid = submission.id
    rejected = _post(site, lead, f"/submissions/{sid}/reject", f"/submissions/{sid}",
                     reason="Say where the parts in transit are.")
    assert rejected.status_code == 303, rejected.text
    page = acme.get(f"/portal/cases/{case}").text
    assert f">{typed}</textarea>" in page and ">more tomorrow</textarea>" in page
    assert "was sent back; its text is below" in page


def test_a_written_cause_report_is_owed_submitted_from_the_portal_and_reviewed(
    site: Site, policy: DeadlinePolicy,
) -> None:
    with session_scope(get_engine(site.url)) as session:
        report, _ = open_cause_report(session, code="ACME", month="2026-02",
                                      why="grade dropped from A to C", actor="scorecard",
                                      now=T0, policy=policy)
    acme, lead = site.signed_in("acme"), site.signed_in("lead")
    overview = acme.get("/portal").text
    assert f'href="/portal/cases/{report}"' in overview
    page = acme.get(f"/portal/cases/{report}").text
    assert "Nothing is owed from you on this case now" not in page
    assert 'name="field.report"' in page
    sent = _post(site, acme, f"/portal/cases/{report}/submit", f"/portal/cases/{report}",
                 trigger="submit", **{"field.report": "Our press operator skipped the "
                                      "first-piece check; retrained, check now signed."})
    assert sent.status_code == 303, sent.text
    with session_scope(get_engine(site.url)) as session:
        sid = session.exec(select(Submission).where(Submission.case_id == report)).one().id
    accepted = _post(site, lead, f"/submissions/{sid}/accept", f"/submissions/{sid}")
    assert accepted.status_code == 303, accepted.text
    with session_scope(get_engine(site.url)) as session:
        case = session.get(Case, report)
        assert case is not None and case.state == "submitted"
        assert "first-piece check" in case.content["report"]


def test_a_blacklisted_supplier_is_told_why_since_when_and_what_it_means(site: Site) -> None:
    with session_scope(get_engine(site.url)) as session:
        acme = session.exec(select(Supplier).where(Supplier.code == "ACME")).one()
        acme.blacklisted_at = T0
        acme.blacklist_reason = "grade E in 2026-02"
        session.add(acme)
    client = site.signed_in("acme")
    for path in ("/portal", f"/portal/cases/{site.cases['ACME']}"):
        page = client.get(path).text
        assert "Your company is blacklisted since" in page and "grade E in 2026-02" in page
        assert "refused at our incoming inspection" in page
    assert "blacklisted" not in site.signed_in("beta").get("/portal").text
