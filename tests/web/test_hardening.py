"""What the review of the web app found, each kept from coming back: security headers on every
page, a supplier's link that cannot swap a signed-in lead's session, NUL characters and
out-of-range numbers refused as bad input naming the field (never the API's JSON on a page),
and a supplier's report that leaves out another supplier's linked case."""

from __future__ import annotations

from sqlmodel import Session

from capaflow.accounts.links import supplier_link
from capaflow.models import Case
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import Site


def test_pages_forbid_framing_scripts_and_referrers_the_api_is_left_alone(site: Site) -> None:
    lead = site.signed_in("lead")
    for path in ("/login", f"/cases/{site.cases['ACME']}", "/no-such-page"):
        headers = lead.get(path).headers
        assert headers["x-frame-options"] == "DENY", path
        assert "script-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in lead.get("/api/v1/cases").headers


def test_a_suppliers_link_does_not_replace_a_signed_in_leads_session(site: Site) -> None:
    lead = site.signed_in("lead")
    with Session(get_engine(site.url)) as session:
        case = session.get(Case, site.cases["ACME"])
        assert case is not None and case.supplier_id is not None
        token = supplier_link(site.app.state.web.secret, supplier_id=case.supplier_id, now=T0,
                              valid_for=site.app.state.web.supplier_link_valid)
    answer = lead.get(f"/portal/enter?t={token}")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert "sign out first" in lead.get("/").text  # still the lead, told why
    # Without a session of one's own, the same link opens the portal.
    visitor = site.anonymous()
    assert visitor.get(f"/portal/enter?t={token}").headers["location"] == "/portal"


def test_nul_characters_are_bad_input_naming_the_field_and_write_nothing(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    before = snapshot(site.url)
    for data, field in (({"title": "Crack\x00"}, "title"), ({"part": "P\x001"}, "part"),
                        ({"owner": "le\x00na"}, "owner"), ({"problem": "x\x00"}, "problem")):
        answer = site.post_form(lead, "/cases", {"lifecycle": "8d", "severity": "major",
                                                 "title": "Crack", **data}, page="/cases/new")
        assert answer.status_code == 422, (field, answer.text[:300])
        assert f'data-field="{field}"' in answer.text
    answer = site.post_form(lead, f"/cases/{case_id}/costs",
                            {"kind": "rework", "amount": "10", "currency": "EUR",
                             "note": "bad\x00note"}, page=f"/cases/{case_id}")
    assert answer.status_code == 422 and 'data-field="note"' in answer.text
    assert snapshot(site.url) == before


def test_an_amount_out_of_range_is_a_page_not_the_apis_json(site: Site) -> None:
    lead = site.signed_in("lead")
    case_id = site.cases["ACME"]
    before = snapshot(site.url)
    for amount in ("1e400", "9" * 60):
        answer = site.post_form(lead, f"/cases/{case_id}/costs",
                                {"kind": "rework", "amount": amount, "currency": "EUR"},
                                page=f"/cases/{case_id}")
        assert answer.status_code == 422, amount
        assert answer.headers["content-type"].startswith("text/html")
    assert snapshot(site.url) == before


def test_a_suppliers_report_leaves_out_a_case_linked_from_another_supplier(site: Site) -> None:
    with session_scope(get_engine(site.url)) as session:
        beta = session.get(Case, site.cases["BETA"])
        assert beta is not None
        beta.linked_case_id = site.cases["ACME"]  # never made by intake; by hand, to be sure
        session.add(beta)
    acme = site.signed_in("acme")
    report = acme.get(f"/cases/{site.cases['ACME']}/report.html")
    assert report.status_code == 200
    assert "from BETA" not in report.text
    assert report.headers["cache-control"] == "private, no-store"
    lead = site.signed_in("lead")
    assert "from BETA" in lead.get(f"/cases/{site.cases['ACME']}/report.html").text
