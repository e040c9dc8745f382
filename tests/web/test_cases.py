"""The quality lead's case pages: opening a case, walking it through the step form, signed
decisions (close, cancel, lifting a blacklist), costs, the report downloads, and who may do
what (viewers read only, suppliers use their portal and see only their own reports)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import col, select

from capaflow.accounts.signatures import CANCEL_CASE, CLOSE_CASE, LIFT_BLACKLIST, METHOD
from capaflow.asgi import create_site
from capaflow.audittrail.chain import verify
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models import Case, CaseCost, CaseEvent, Submission, Supplier, SupplierDecision
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import beside_guesses, snapshot
from tests.web.conftest import PASSWORDS, Site, form_token, sign_in

_VERSION = re.compile(r'name="version" value="(\d+)"')
ROOT_CAUSE = {"root_cause": "worn die", "escape_point": "no burr check at final inspection",
              "category": "machine"}


# -- helpers --------------------------------------------------------------------------------

def _version(html: str) -> str:
    found = _VERSION.search(html)
    assert found, "the page has no step form"
    return found.group(1)


def step(client: TestClient, case_id: int, trigger: str, fields: dict[str, str] | None = None,
         *, note: str = "", password: str | None = None,
         version: str | None = None) -> httpx.Response:
    """Post the case page's step form, as a browser would (its token and case version)."""
    shown = client.get(f"/cases/{case_id}")
    assert shown.status_code == 200, shown.text
    data: dict[str, Any] = {"trigger": trigger, "note": note,
                            "version": version or _version(shown.text),
                            "csrf_token": form_token(shown.text)}
    data.update({f"field.{name}": value for name, value in (fields or {}).items()})
    if password is not None:
        data["password"] = password
    answer: httpx.Response = client.post(f"/cases/{case_id}/steps", data=data)
    return answer


def _case(site: Site, case_id: int) -> Case:
    with session_scope(get_engine(site.url)) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def _events(site: Site, case_id: int) -> list[CaseEvent]:
    with session_scope(get_engine(site.url)) as session:
        return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                 .order_by(col(CaseEvent.seq))).all())


def _lead_at(site: Site, when: datetime) -> TestClient:
    """The lead on a site whose clock reads `when` (CAPA_NOW), signed in afresh."""
    later = Settings(database_url=site.url, now=isoformat(when), routes="no-routes.toml")
    client = TestClient(create_site(later), follow_redirects=False)
    client.__enter__()
    site.clients.append(client)
    assert sign_in(client, "lead", PASSWORDS["lead"]).status_code == 303
    return client


def _to_effectiveness_tracking(client: TestClient, case_id: int) -> None:
    for trigger, fields in (
        ("contain", {"containment": "sorted all stock"}),
        ("find_root_cause", ROOT_CAUSE),
        ("apply_short_term_fix", {"short_term_fix": "deburr by hand"}),
        ("implement_countermeasure", {"countermeasure": "new die, checked monthly"}),
    ):
        answer = step(client, case_id, trigger, fields)
        assert answer.status_code == 303, answer.text


# -- opening a case -------------------------------------------------------------------------

def test_a_lead_opens_a_case_through_the_form(site: Site) -> None:
    lead = site.signed_in("lead")
    form = lead.get("/cases/new")
    assert form.status_code == 200
    assert '<option value="ACME">' in form.text and '<option value="BETA">' in form.text
    answer = site.post_form(lead, "/cases", {
        "lifecycle": "8d", "title": "Scratched lens", "supplier": "BETA", "part": "LNS-4",
        "defect_code": "SCRATCH", "severity": "critical", "complex": "yes", "owner": "lead",
        "team": "lead, marco", "problem": "Scratches on 4 % of lenses",
    }, page="/cases/new")
    assert answer.status_code == 303
    case_id = int(answer.headers["location"].rsplit("/", 1)[1])
    case = _case(site, case_id)
    assert (case.title, case.state, case.severity, case.complexity, case.part) == (
        "Scratched lens", "containment", "critical", "complex", "LNS-4")
    assert case.content == {"team": ["lead", "marco"], "problem": "Scratches on 4 % of lenses"}
    shown = lead.get(answer.headers["location"])
    assert f"Case #{case_id} opened" in shown.text  # the flash
    assert "Scratched lens" in shown.text and 'href="/suppliers/BETA"' in shown.text


def test_a_pdca_case_shows_its_phases_and_the_fields_of_its_next_step(site: Site) -> None:
    lead = site.signed_in("lead")
    answer = site.post_form(lead, "/cases", {"lifecycle": "pdca", "title": "Cut scrap",
                                             "severity": "minor"}, page="/cases/new")
    assert answer.status_code == 303
    case_id = int(answer.headers["location"].rsplit("/", 1)[1])
    shown = lead.get(f"/cases/{case_id}").text
    for phase in ("plan", "do", "check", "act"):
        assert f'data-phase="{phase}"' in shown
    assert 'name="field.target"' in shown and 'name="field.plan"' in shown
    assert step(lead, case_id, "execute", {"target": "scrap < 1 %", "plan": "new jig"}
                ).status_code == 303
    assert step(lead, case_id, "measure", {"result": "0.7 %"}).status_code == 303
    evaluate = lead.get(f"/cases/{case_id}").text
    assert '<select name="field.met"' in evaluate


def test_opening_with_bad_input_names_the_field_keeps_the_input_and_writes_nothing(
    site: Site
) -> None:
    lead = site.signed_in("lead")
    before = snapshot(site.url)
    for data, field in (
        ({"title": "", "part": "KEEP-ME-PART"}, "title"),
        ({"title": "Crack", "severity": "huge", "part": "KEEP-ME-PART"}, "severity"),
        ({"title": "Crack", "supplier": "NOPE", "part": "KEEP-ME-PART"}, "supplier"),
        ({"title": "Crack", "lifecycle": "audit", "part": "KEEP-ME-PART"}, "lifecycle"),
    ):
        answer = site.post_form(lead, "/cases", {"lifecycle": "8d", "severity": "major", **data},
                                page="/cases/new")
        assert answer.status_code == 422, (field, answer.text)
        assert f'data-field="{field}"' in answer.text
        assert 'value="KEEP-ME-PART"' in answer.text
    assert snapshot(site.url) == before


# -- the step form --------------------------------------------------------------------------

def test_an_8d_case_walks_through_the_step_form_and_the_page_shows_it(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    assert step(lead, case_id, "contain", {"containment": "sorted all stock"}).status_code == 303
    page = lead.get(f"/cases/{case_id}").text
    assert "contain recorded; now root_cause" in page  # the flash
    # The root cause form asks for the guard's fields: category as the six 5M1E values.
    form = page.split('data-trigger="find_root_cause"', 1)[1].split("</details>", 1)[0]
    for name in ("root_cause", "escape_point", "category", "complexity"):
        assert f'name="field.{name}"' in form
    for value in ("man", "machine", "material", "method", "environment", "measurement"):
        assert f'<option value="{value}"' in form
    assert step(lead, case_id, "find_root_cause", {**ROOT_CAUSE, "complexity": "complex"}
                ).status_code == 303
    assert step(lead, case_id, "apply_short_term_fix", {"short_term_fix": "deburr"}
                ).status_code == 303
    assert step(lead, case_id, "implement_countermeasure",
                {"countermeasure": "new die", "verification": ""}).status_code == 303
    case = _case(site, case_id)
    assert (case.state, case.complexity) == ("effectiveness_tracking", "complex")
    # An optional field left empty is not recorded as an answer.
    assert "verification" not in _events(site, case_id)[-1].fields
    page = lead.get(f"/cases/{case_id}").text
    d4 = page.split('data-discipline="D4"', 1)[1].split("</section>", 1)[0]
    assert "worn die" in d4 and "machine" in d4
    # Reopened by hand (a recurrence): the header says so.
    assert step(lead, case_id, "reopen", {"reason": "burr again on lot 88"}).status_code == 303
    page = lead.get(f"/cases/{case_id}").text
    assert "reopened 1×" in page
    assert verify_case(site, case_id)


def verify_case(site: Site, case_id: int) -> bool:
    with session_scope(get_engine(site.url)) as session:
        return verify(session, case_id=case_id).ok


def test_reject_needs_its_reason_and_sends_the_case_back_one_step(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    assert step(lead, case_id, "contain", {"containment": "sorted"}).status_code == 303
    before = snapshot(site.url)
    missing = step(lead, case_id, "reject", {"reason": "  "})
    assert missing.status_code == 422 and 'data-field="reason"' in missing.text
    assert snapshot(site.url) == before
    answer = step(lead, case_id, "reject", {"reason": "containment not verified"})
    assert answer.status_code == 303
    assert _case(site, case_id).state == "containment"
    assert "containment not verified" in lead.get(f"/cases/{case_id}").text


def test_a_bad_field_names_it_keeps_the_input_and_writes_nothing(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    assert step(lead, case_id, "contain", {"containment": "sorted"}).status_code == 303
    before = snapshot(site.url)
    missing = step(lead, case_id, "find_root_cause",
                   {"root_cause": "", "escape_point": "KEPT escape point", "category": "method"})
    assert missing.status_code == 422
    assert 'data-field="root_cause"' in missing.text
    assert "KEPT escape point" in missing.text  # typed text is not lost
    banana = step(lead, case_id, "find_root_cause", {**ROOT_CAUSE, "category": "banana"})
    assert banana.status_code == 422 and 'data-field="category"' in banana.text
    unknown = step(lead, case_id, "find_root_cause", {**ROOT_CAUSE, "signature": "forged"})
    assert unknown.status_code == 422 and 'data-field="signature"' in unknown.text
    assert snapshot(site.url) == before


@pytest.mark.postgres
def test_a_stale_version_is_a_conflict_not_an_overwrite(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    stale = _version(lead.get(f"/cases/{case_id}").text)
    assert step(lead, case_id, "contain", {"containment": "first lead's text"}).status_code == 303
    before = snapshot(site.url)
    answer = step(lead, case_id, "contain", {"containment": "second lead's text"},
                  version=stale)
    assert answer.status_code == 409
    assert 'data-field="version"' in answer.text
    assert snapshot(site.url) == before
    assert _events(site, case_id)[-1].fields == {"containment": "first lead's text"}


def test_a_step_not_allowed_in_the_state_is_a_conflict(site: Site) -> None:
    lead = site.signed_in("lead")
    before = snapshot(site.url)
    answer = step(lead, site.cases["ACME"], "implement_countermeasure",
                  {"countermeasure": "new die"})
    assert answer.status_code == 409 and 'data-field="trigger"' in answer.text
    assert snapshot(site.url) == before


# -- signed decisions -----------------------------------------------------------------------

def test_cancelling_is_signed_with_the_password(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    page = lead.get(f"/cases/{case_id}").text
    cancel_form = page.split('data-trigger="cancel"', 1)[1].split("</details>", 1)[0]
    assert 'name="password"' in cancel_form and CANCEL_CASE in cancel_form
    contain_form = page.split('data-trigger="contain"', 1)[1].split("</details>", 1)[0]
    assert 'name="password"' not in contain_form
    before = beside_guesses(snapshot(site.url))
    for password in (None, "", "not-my-password"):
        answer = step(lead, case_id, "cancel", {"reason": "KEPT duplicate of #9"},
                      password=password)
        assert answer.status_code == 422, password
        assert 'data-field="password"' in answer.text
        assert "KEPT duplicate of #9" in answer.text
        assert "not-my-password" not in answer.text  # a password is never written back
    # A missing reason is named before the password is asked for.
    answer = step(lead, case_id, "cancel", {"reason": ""}, password=PASSWORDS["lead"])
    assert answer.status_code == 422 and 'data-field="reason"' in answer.text
    assert beside_guesses(snapshot(site.url)) == before

    answer = step(lead, case_id, "cancel", {"reason": "duplicate of #9"},
                  password=PASSWORDS["lead"])
    assert answer.status_code == 303
    event = _events(site, case_id)[-1]
    assert event.action == "cancel"
    assert event.fields["signature"] == {"signed_by": "lead", "signed_at": isoformat(T0),
                                         "meaning": CANCEL_CASE, "method": METHOD}
    page = lead.get(f"/cases/{case_id}").text
    assert 'data-signed-by="lead"' in page and CANCEL_CASE in page
    assert "Signed by lead." in page  # the flash
    assert verify_case(site, case_id)


def test_closing_after_the_window_is_signed_and_refused_without_the_password(
    site: Site
) -> None:
    case_id = site.cases["ACME"]
    _to_effectiveness_tracking(site.signed_in("lead"), case_id)
    lead = _lead_at(site, T0 + timedelta(days=200))
    before = beside_guesses(snapshot(site.url))
    for password in (None, "wrong-password-1"):
        answer = step(lead, case_id, "close", {"lessons": "check dies"}, password=password)
        assert answer.status_code == 422 and 'data-field="password"' in answer.text
    assert beside_guesses(snapshot(site.url)) == before
    answer = step(lead, case_id, "close", {"lessons": "check dies"},
                  password=PASSWORDS["lead"])
    assert answer.status_code == 303, answer.text
    event = _events(site, case_id)[-1]
    assert (event.action, event.to_state) == ("close", "closed")
    assert event.fields["signature"]["meaning"] == CLOSE_CASE
    assert event.fields["signature"]["signed_by"] == "lead"
    page = lead.get(f"/cases/{case_id}").text
    assert f'action="/cases/{case_id}/steps"' not in page  # closed: no next step
    d8 = page.split('data-discipline="D8"', 1)[1].split("</section>", 1)[0]
    assert "Closed" in d8


# -- deadlines ------------------------------------------------------------------------------

def test_deadlines_show_overdue_and_due_soon(site: Site) -> None:
    case_id = site.cases["ACME"]
    soon = _lead_at(site, T0 + timedelta(hours=23)).get(f"/cases/{case_id}").text
    assert 'data-status="soon"' in soon and "due soon" in soon
    late = _lead_at(site, T0 + timedelta(days=2)).get(f"/cases/{case_id}").text
    assert 'data-status="overdue"' in late


# -- pending submissions, costs -------------------------------------------------------------

def test_a_pending_supplier_submission_is_announced_with_a_link_to_review_it(site: Site) -> None:
    case_id = site.cases["ACME"]
    with session_scope(get_engine(site.url)) as session:
        row = Submission(case_id=case_id, trigger="contain",
                         fields={"containment": "we sorted"}, submitted_by="acme",
                         submitted_at=T0, status="pending", case_version=2)
        session.add(row)
        session.flush()
        submission_id = row.id
    page = site.signed_in("lead").get(f"/cases/{case_id}").text
    assert "ACME submitted contain at 2026-03-02 09:00 UTC" in page
    assert f'href="/submissions/{submission_id}"' in page


def test_costs_are_added_and_totalled(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    page = f"/cases/{case_id}"
    for amount in ("120.50", "79.50"):
        answer = site.post_form(lead, f"/cases/{case_id}/costs",
                                {"kind": "sorting", "amount": amount, "currency": "eur",
                                 "at": "", "note": "sorting at the line"}, page=page)
        assert answer.status_code == 303
    shown = lead.get(page).text
    assert 'data-total="EUR">200.00 EUR' in shown
    with session_scope(get_engine(site.url)) as session:
        amounts = [c.amount for c in session.exec(select(CaseCost)).all()]
    assert sorted(amounts) == [Decimal("79.50"), Decimal("120.50")]


def test_a_bad_cost_names_the_field_and_writes_nothing(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    before = snapshot(site.url)
    for data, field in (({"amount": "12.345"}, "amount"), ({"currency": "euro"}, "currency"),
                        ({"kind": "coffee"}, "kind"), ({"at": "yesterday"}, "at")):
        answer = site.post_form(lead, f"/cases/{case_id}/costs",
                                {"kind": "rework", "amount": "10", "currency": "EUR",
                                 "note": "KEPT note", **data}, page=f"/cases/{case_id}")
        assert answer.status_code == 422, field
        assert f'data-field="{field}"' in answer.text and "KEPT note" in answer.text
    assert snapshot(site.url) == before


# -- the report -----------------------------------------------------------------------------

def test_the_report_downloads_as_html_and_pdf(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    html = lead.get(f"/cases/{case_id}/report.html")
    assert html.status_code == 200 and "Cracked housing from ACME" in html.text
    pdf = lead.get(f"/cases/{case_id}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    disposition = pdf.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"case-{case_id}-" in disposition


def test_a_supplier_gets_its_own_report_and_a_404_for_another_suppliers(site: Site) -> None:
    acme = site.signed_in("acme")
    own = acme.get(f"/cases/{site.cases['ACME']}/report.pdf")
    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    for suffix in ("html", "pdf"):
        other = acme.get(f"/cases/{site.cases['BETA']}/report.{suffix}")
        assert other.status_code == 404
        assert "BETA" not in other.text and "secret problem" not in other.text
    assert site.anonymous().get(f"/cases/{site.cases['ACME']}/report.pdf").status_code == 303


# -- who may do what ------------------------------------------------------------------------

def test_a_viewer_sees_the_case_but_no_forms_and_cannot_post(site: Site) -> None:
    viewer = site.signed_in("viewer")
    case_id = site.cases["ACME"]
    page = viewer.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert "Cracked housing from ACME" in page.text and "D3 emergency containment" in page.text
    assert "/steps" not in page.text and "/costs\"" not in page.text
    assert 'name="password"' not in page.text
    assert viewer.get("/cases/new").status_code == 403
    token = form_token(page.text)  # the sign-out form's
    before = snapshot(site.url)
    posts = (
        (f"/cases/{case_id}/steps", {"trigger": "contain", "version": "2",
                                     "field.containment": "sorted"}),
        (f"/cases/{case_id}/steps", {"trigger": "cancel", "version": "2",
                                     "field.reason": "x", "password": PASSWORDS["viewer"]}),
        (f"/cases/{case_id}/costs", {"kind": "rework", "amount": "10", "currency": "EUR"}),
        ("/cases", {"lifecycle": "8d", "title": "Nope", "severity": "major"}),
        ("/suppliers/ACME/lift-blacklist", {"reason": "x", "password": PASSWORDS["viewer"]}),
    )
    for path, data in posts:
        answer = viewer.post(path, data={**data, "csrf_token": token})
        assert answer.status_code == 403, path
    assert snapshot(site.url) == before


def test_suppliers_are_sent_to_their_portal(site: Site) -> None:
    acme = site.signed_in("acme")
    for path in (f"/cases/{site.cases['ACME']}", "/cases/new", "/suppliers/ACME/lift-blacklist"):
        answer = acme.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/portal", path


def test_an_unknown_case_is_a_404(site: Site) -> None:
    assert site.signed_in("lead").get("/cases/999999").status_code == 404


def test_a_step_without_the_form_token_is_refused(site: Site) -> None:
    lead = site.signed_in("lead")
    lead.get(f"/cases/{site.cases['ACME']}")
    before = snapshot(site.url)
    answer = lead.post(f"/cases/{site.cases['ACME']}/steps",
                       data={"trigger": "contain", "version": "2",
                             "field.containment": "sorted"})
    assert answer.status_code == 403
    assert snapshot(site.url) == before


# -- lifting a blacklist --------------------------------------------------------------------

def _blacklist(site: Site, code: str) -> None:
    with session_scope(get_engine(site.url)) as session:
        supplier = session.exec(select(Supplier).where(Supplier.code == code)).one()
        supplier.blacklisted_at, supplier.blacklist_reason = T0, "grade E in 2026-02"
        session.add(supplier)


def test_lifting_a_blacklist_is_a_signed_decision(site: Site) -> None:
    _blacklist(site, "ACME")
    lead = site.signed_in("lead")
    path = "/suppliers/ACME/lift-blacklist"
    form = lead.get(path)
    assert form.status_code == 200 and str(escape(LIFT_BLACKLIST)) in form.text
    before = beside_guesses(snapshot(site.url))
    for password in ("", "wrong-password-1"):
        answer = site.post_form(lead, path, {"reason": "KEPT audit passed",
                                             "password": password})
        assert answer.status_code == 422 and 'data-field="password"' in answer.text
        assert "KEPT audit passed" in answer.text
    answer = site.post_form(lead, path, {"reason": "", "password": PASSWORDS["lead"]})
    assert answer.status_code == 422 and 'data-field="reason"' in answer.text
    assert beside_guesses(snapshot(site.url)) == before

    answer = site.post_form(lead, path, {"reason": "audit passed, 8D closed",
                                         "password": PASSWORDS["lead"]})
    assert answer.status_code == 303 and answer.headers["location"] == "/suppliers/ACME"
    with session_scope(get_engine(site.url)) as session:
        decision = session.exec(select(SupplierDecision)).one()
        supplier = session.exec(select(Supplier).where(Supplier.code == "ACME")).one()
    assert supplier.blacklisted_at is None
    assert decision.signature == {"signed_by": "lead", "signed_at": isoformat(T0),
                                  "meaning": LIFT_BLACKLIST, "method": METHOD}
    # Lifting again: nothing to lift.
    again = site.post_form(lead, path, {"reason": "again", "password": PASSWORDS["lead"]})
    assert again.status_code == 409


def test_lifting_the_blacklist_of_an_unknown_supplier_is_a_404(site: Site) -> None:
    lead = site.signed_in("lead")
    answer = lead.post("/suppliers/NOPE/lift-blacklist",
                       data={"reason": "x", "password": PASSWORDS["lead"],
                             "csrf_token": form_token(lead.get(
                                 f"/cases/{site.cases['ACME']}").text)})
    assert answer.status_code == 404
