"""Every supplier-quality capability of the CLI in the web app (issue 12, point 7): recording
an inspected lot with the plan shown first, recording a defect with the intake's outcome,
running the monthly scorecard and rating a supplier, conducting an audit and closing its
findings (the audit's close signed), and the charge-back statement with its CSV and print.

Each form goes through the service the CLI calls, with its checks: bad input shows the form
again with the field named and writes nothing; a viewer sees no form and is refused a POST
with nothing written; the service desk's roles do not work on supplier quality."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.chargeback import add_cost
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import AuditFinding, Case, CaseEvent, DefectEvent, InspectionLot, Scorecard
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.api.conftest import _open
from tests.conftest import T0
from tests.helpers import beside_guesses, snapshot
from tests.web.conftest import PASSWORDS, Site, form_token

AGENT_PASSWORD = "agent-password-1"


@pytest.fixture
def quality_site(
    sqlite_url: str, policy: DeadlinePolicy, fast_password_hashing: None
) -> Iterator[Site]:
    """The site over SQLite: a lead, a viewer, a service agent, ACME (with an account) and
    BETA with an 8D case each (ACME's with a sorting cost in 2026-02)."""
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="lead", role="quality_lead", password=PASSWORDS["lead"], now=T0)
        add_user(session, name="viewer", role="viewer", password=PASSWORDS["viewer"], now=T0)
        add_user(session, name="agent", role="service_agent", password=AGENT_PASSWORD, now=T0)
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Corp", contact=None,
                         quality_head=None, executive=None, now=T0)
        add_user(session, name="acme", role="supplier", password=PASSWORDS["acme"], now=T0,
                 supplier_code="ACME")
        cases = {code: _open(session, code, policy) for code in ("ACME", "BETA")}
        add_cost(session, case_id=cases["ACME"], kind="sorting", amount="1250.50",
                 currency="EUR", incurred_at=T0.replace(month=2, day=10), note=None,
                 actor="lead", now=T0)
    settings = Settings(database_url=sqlite_url, now=isoformat(T0), routes="no-routes.toml")
    built = Site(app=create_site(settings), url=sqlite_url, cases=cases)
    try:
        yield built
    finally:
        for client in built.clients:
            client.__exit__(None, None, None)


def _agent(site: Site) -> TestClient:
    from tests.web.conftest import sign_in

    client = site.anonymous()
    assert sign_in(client, "agent", AGENT_PASSWORD).status_code == 303
    return client


def _refused_on(response: httpx.Response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert f'data-field="{field}"' in response.text, response.text


def _flash(client: TestClient, path: str) -> str:
    shown = client.get(path).text
    found = re.search(r'<p class="notice" role="status">(.*?)</p>', shown, re.S)
    assert found, "no confirmation shown"
    return found.group(1)


LOT = {"supplier": "ACME", "part": "ACME-P9", "lot": "L-001", "lot_size": "500",
       "sampled": "50", "defects": "0"}


# -- incoming lots ----------------------------------------------------------------------------

def test_the_lots_page_shows_the_iso_2859_plan_before_a_lot_is_recorded(
    quality_site: Site,
) -> None:
    lead = quality_site.signed_in("lead")
    shown = lead.get("/lots", params={"supplier": "ACME", "part": "ACME-P9", "lot_size": "500"})
    assert shown.status_code == 200
    # Lot of 500 at level II: code letter H, 50 items (ISO 2859-1 table 1 and 2-A).
    assert re.search(r'class="code-letter">H<', shown.text)
    assert re.search(r'class="sample-size">50<', shown.text)

    answer = quality_site.post_form(lead, "/lots", LOT)
    assert answer.status_code == 303
    message = _flash(lead, answer.headers["location"])
    assert "Lot L-001 of ACME ACME-P9 accepted" in message
    with session_scope(get_engine(quality_site.url)) as session:
        assert session.exec(select(InspectionLot)).one().lot == "L-001"


BAD_LOTS = [
    ({"sampled": "fifty"}, "sampled", 422),
    ({"lot_size": "1"}, "lot_size", 422),
    ({"defects": "3"}, "defect_code", 422),  # a rejected lot needs its defect code
    ({"outgoing_report": "maybe"}, "outgoing_report", 422),
    ({"inspected_at": "yesterday"}, "inspected_at", 422),
    ({"supplier": "GONE"}, "supplier", 404),
]


def test_a_bad_lot_shows_the_form_again_naming_the_field_and_writes_nothing(
    quality_site: Site,
) -> None:
    lead = quality_site.signed_in("lead")
    before = snapshot(quality_site.url)
    for change, field, status in BAD_LOTS:
        answer = quality_site.post_form(lead, "/lots", {**LOT, **change})
        _refused_on(answer, status, field)
        # What was typed is shown again.
        assert 'value="L-001"' in answer.text
    assert snapshot(quality_site.url) == before


def test_a_lot_recorded_twice_is_a_conflict_and_writes_nothing(quality_site: Site) -> None:
    lead = quality_site.signed_in("lead")
    assert quality_site.post_form(lead, "/lots", LOT).status_code == 303
    before = snapshot(quality_site.url)
    _refused_on(quality_site.post_form(lead, "/lots", LOT), 409, "lot")
    assert snapshot(quality_site.url) == before


# -- defects ----------------------------------------------------------------------------------

DEFECT = {"supplier": "BETA", "part": "BETA-P7", "defect_code": "SCRATCH", "quantity": "2",
          "source": "line", "severity": "major"}


def test_a_recorded_defect_says_what_the_intake_did_with_it(quality_site: Site) -> None:
    lead = quality_site.signed_in("lead")
    answer = quality_site.post_form(lead, "/defects/new", DEFECT)
    assert answer.status_code == 303
    message = _flash(lead, answer.headers["location"])
    with session_scope(get_engine(quality_site.url)) as session:
        defect = session.exec(select(DefectEvent)).one()
        assert defect.outcome == "new_case" and defect.case_id is not None
        case_id = defect.case_id
    assert f"case #{case_id} opened" in message
    assert "inspected 100 %" in message
    # Counted on that case the second time.
    answer = quality_site.post_form(lead, "/defects/new", DEFECT)
    assert f"one more occurrence on case #{case_id}" in _flash(lead, answer.headers["location"])
    listed = lead.get("/defects/new").text
    assert "counted on its open case" in listed and "new case opened" in listed


BAD_DEFECTS = [
    ({"quantity": "two"}, "quantity"),
    ({"quantity": ""}, "quantity"),
    ({"lot_size": "1"}, "lot_size"),  # fewer pieces in the lot than defective
    ({"occurred_at": "2026-13-01"}, "occurred_at"),
    ({"source": "dream"}, "source"),
    ({"severity": "apocalyptic"}, "severity"),
    ({"part": ""}, "part"),
]


def test_a_bad_defect_shows_the_form_again_naming_the_field_and_writes_nothing(
    quality_site: Site,
) -> None:
    lead = quality_site.signed_in("lead")
    before = snapshot(quality_site.url)
    for change, field in BAD_DEFECTS:
        answer = quality_site.post_form(lead, "/defects/new", {**DEFECT, **change})
        _refused_on(answer, 422, field)
        assert 'value="SCRATCH"' in answer.text
    assert snapshot(quality_site.url) == before


# -- the scorecard ----------------------------------------------------------------------------

def test_running_the_scorecard_grades_the_month_and_shows_the_result(
    quality_site: Site,
) -> None:
    # The suppliers were registered this month (at T0): this month is the one to grade, for
    # a look, provisionally.
    lead = quality_site.signed_in("lead")
    rated = quality_site.post_form(lead, "/scorecards/ratings",
                                   {"supplier": "ACME", "month": "2026-03",
                                    "attitude": "cooperative"}, page="/scorecards")
    assert rated.status_code == 303
    assert "cooperation rated cooperative" in _flash(lead, rated.headers["location"])
    answer = quality_site.post_form(lead, "/scorecards/run", {"month": "2026-03"},
                                    page="/scorecards")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/scorecards?month=2026-03"
    message = _flash(lead, "/scorecards?month=2026-03")
    assert "2026-03 graded" in message and "provisional" in message
    shown = lead.get("/scorecards?month=2026-03").text
    assert 'data-supplier="ACME"' in shown and 'data-supplier="BETA"' in shown
    with session_scope(get_engine(quality_site.url)) as session:
        assert {s.month for s in session.exec(select(Scorecard))} == {"2026-03"}


BAD_MONTHS = [
    ("/scorecards/run", {"month": "2026-04"}, "month"),  # after now's month
    ("/scorecards/run", {"month": "March"}, "month"),
    ("/scorecards/ratings", {"supplier": "ACME", "month": "2026-02", "attitude": "rude"},
     "attitude"),
    ("/scorecards/ratings", {"supplier": "ACME", "month": "02/2026",
                             "attitude": "cooperative"}, "month"),
]


def test_a_bad_month_or_rating_is_refused_naming_the_field_and_writes_nothing(
    quality_site: Site,
) -> None:
    lead = quality_site.signed_in("lead")
    before = snapshot(quality_site.url)
    for path, data, field in BAD_MONTHS:
        _refused_on(quality_site.post_form(lead, path, data, page="/scorecards"), 422, field)
    assert snapshot(quality_site.url) == before


# -- audits -----------------------------------------------------------------------------------

def _planned_audit(site: Site, lead: TestClient) -> int:
    answer = site.post_form(lead, "/audits", {"supplier": "ACME", "owner": "lead",
                                              "scope": "line 2"})
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


def test_an_audit_is_conducted_its_finding_closed_and_the_audit_closed_signed(
    quality_site: Site,
) -> None:
    lead = quality_site.signed_in("lead")
    audit = _planned_audit(quality_site, lead)
    page = f"/audits/{audit}"
    conducted = quality_site.post_form(lead, f"{page}/conduct", {
        "auditors": "lead, marco", "result:measurement.calibration": "failed",
        "found:measurement.calibration": "two gauges past their calibration date",
    }, page=page)
    assert conducted.status_code == 303, conducted.text
    assert "1 finding raised" in _flash(lead, page)
    with session_scope(get_engine(quality_site.url)) as session:
        finding = session.exec(select(AuditFinding)).one()
        assert finding.item == "measurement.calibration" and finding.status == "open"
        finding_id = finding.id

    # Closing the audit while the finding is open: refused before the password is checked.
    before = snapshot(quality_site.url)
    refused = quality_site.post_form(lead, f"{page}/close",
                                     {"password": PASSWORDS["lead"]}, page=page)
    _refused_on(refused, 409, "findings")
    assert snapshot(quality_site.url) == before

    closed = quality_site.post_form(lead, f"/audits/findings/{finding_id}/close", {
        "action": "Both gauges recalibrated; calibration plan moved to monthly.",
        "evidence": "calibration certificates C-118 and C-119",
    }, page=page)
    assert closed.status_code == 303, closed.text

    # A wrong password signs nothing and closes nothing (the throttle counts the miss).
    before = snapshot(quality_site.url)
    wrong = quality_site.post_form(lead, f"{page}/close", {"password": "not-mine-at-all"},
                                   page=page)
    _refused_on(wrong, 422, "password")
    assert beside_guesses(snapshot(quality_site.url)) == beside_guesses(before)

    signed = quality_site.post_form(lead, f"{page}/close",
                                    {"summary": "All findings closed.",
                                     "password": PASSWORDS["lead"]}, page=page)
    assert signed.status_code == 303, signed.text
    with session_scope(get_engine(quality_site.url)) as session:
        case = session.get(Case, audit)
        assert case is not None and case.state == "closed"
        last = session.exec(select(CaseEvent).where(CaseEvent.case_id == audit)
                            .order_by(col(CaseEvent.seq).desc())).first()
        assert last is not None and last.fields["signature"]["signed_by"] == "lead"
        resolution = session.get(AuditFinding, finding_id)
        assert resolution is not None and "C-118" in (resolution.resolution or "")


BAD_CHECKLISTS = [
    ({"auditors": "lead", "result:measurement.calibration": "failed"},
     "found:measurement.calibration"),
    ({"auditors": "", "result:measurement.calibration": "passed"}, "auditors"),
]


def test_a_bad_checklist_or_finding_close_is_refused_naming_the_field_and_writes_nothing(
    quality_site: Site,
) -> None:
    lead = quality_site.signed_in("lead")
    audit = _planned_audit(quality_site, lead)
    page = f"/audits/{audit}"
    before = snapshot(quality_site.url)
    for form, field in BAD_CHECKLISTS:
        answer = quality_site.post_form(lead, f"{page}/conduct", form, page=page)
        _refused_on(answer, 422, field)
        # The failed item and what was typed are shown again.
        assert 'value="failed" selected' in answer.text or field == "auditors"
    # A refresh of the refused form's address goes back to the audit's page, doing nothing.
    refreshed = lead.get(f"{page}/conduct")
    assert refreshed.status_code == 303 and refreshed.headers["location"] == page
    assert lead.get("/scorecards/run").headers["location"] == "/scorecards"
    assert snapshot(quality_site.url) == before

    quality_site.post_form(lead, f"{page}/conduct", {
        "auditors": "lead", "result:people.training": "failed",
        "found:people.training": "no training record for the night shift"}, page=page)
    with session_scope(get_engine(quality_site.url)) as session:
        finding_id = session.exec(select(AuditFinding)).one().id
    before = snapshot(quality_site.url)
    answer = quality_site.post_form(lead, f"/audits/findings/{finding_id}/close",
                                    {"action": " ", "evidence": "none"}, page=page)
    _refused_on(answer, 422, "action")
    assert snapshot(quality_site.url) == before


# -- the charge-back statement ----------------------------------------------------------------

def test_the_charge_back_statement_shows_with_its_csv_and_printable_page(
    quality_site: Site,
) -> None:
    viewer = quality_site.signed_in("viewer")
    shown = viewer.get("/chargeback", params={"supplier": "ACME", "month": "2026-02"})
    assert shown.status_code == 200
    assert "1250.50 EUR" in shown.text and "Total EUR" in shown.text
    csv = viewer.get("/chargeback.csv", params={"supplier": "ACME", "month": "2026-02"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "1250.50" in csv.text
    assert "attachment" in csv.headers["content-disposition"]
    printed = viewer.get("/chargeback/print", params={"supplier": "ACME", "month": "2026-02"})
    assert printed.status_code == 200 and "1250.50 EUR" in printed.text
    _refused_on(viewer.get("/chargeback", params={"supplier": "ACME", "month": "2026-13"}),
                422, "month")
    _refused_on(viewer.get("/chargeback", params={"supplier": "NOPE", "month": "2026-02"}),
                404, "supplier")


# -- who may -------------------------------------------------------------------------------------

POSTS = [("/lots", LOT), ("/defects/new", DEFECT), ("/scorecards/run", {"month": "2026-02"}),
         ("/scorecards/ratings", {"supplier": "ACME", "month": "2026-02",
                                  "attitude": "cooperative"}),
         ("/audits", {"supplier": "ACME", "owner": "lead"})]
PAGES = ("/lots", "/defects/new", "/scorecards", "/audits", "/chargeback")


def test_a_viewer_reads_the_pages_sees_no_form_and_is_refused_every_post(
    quality_site: Site,
) -> None:
    viewer = quality_site.signed_in("viewer")
    for path in PAGES:
        shown = viewer.get(path)
        assert shown.status_code == 200, path
        assert 'method="post" action="/' + path.strip("/") not in shown.text, path
    before = snapshot(quality_site.url)
    for path, data in POSTS:
        assert quality_site.post_form(viewer, path, data, page="/lots").status_code == 403
    assert snapshot(quality_site.url) == before


def test_the_service_desk_and_suppliers_get_no_supplier_quality_pages(
    quality_site: Site,
) -> None:
    agent = _agent(quality_site)
    for path in PAGES:
        assert agent.get(path).status_code == 403, path
    assert "Incoming lots" not in agent.get("/service").text
    before = snapshot(quality_site.url)
    for path, data in POSTS:
        token = form_token(agent.get("/service").text)
        assert agent.post(path, data={**data, "csrf_token": token}).status_code == 403
    supplier = quality_site.signed_in("acme")
    for path in PAGES:
        # A supplier's person is sent to its portal (web.auth.StaffOnly).
        assert supplier.get(path).headers.get("location") == "/portal", path
    assert snapshot(quality_site.url) == before
