"""The master-data pages: a supplier's contacts (writers only) and Change password (any
signed-in account). Refusals name the field and write nothing (docs/architecture.md,
"Master data")."""

from __future__ import annotations

from capaflow.models import Notification
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import beside_guesses, snapshot
from tests.web.conftest import PASSWORDS, Site, form_token

HEAD = "json://127.0.0.1:9/acme/head"


def test_a_viewer_sees_no_contacts_form_and_is_refused(site: Site) -> None:
    viewer = site.signed_in("viewer")
    shown = viewer.get("/suppliers/ACME")
    assert shown.status_code == 200 and "Head of quality" in shown.text
    assert "/suppliers/ACME/contacts" not in shown.text
    before = snapshot(site.url)
    assert viewer.get("/suppliers/ACME/contacts").status_code == 403
    answer = viewer.post("/suppliers/ACME/contacts",
                         data={"quality_head": HEAD, "csrf_token": form_token(shown.text)})
    assert answer.status_code == 403
    assert snapshot(site.url) == before


def test_a_bad_address_is_named_and_nothing_is_written(site: Site) -> None:
    lead = site.signed_in("lead")
    before = snapshot(site.url)
    answer = site.post_form(lead, "/suppliers/ACME/contacts",
                            {"quality_head": "head@acme.com", "executive": HEAD})
    assert answer.status_code == 422
    assert 'data-field="quality_head"' in answer.text
    assert snapshot(site.url) == before
    missing = site.post_form(lead, "/suppliers/NOPE/contacts", {"name": "x"},
                             page="/suppliers/ACME/contacts")
    assert missing.status_code == 404


def test_a_password_change_refused_writes_nothing_and_one_accepted_ends_other_sessions(
    site: Site,
) -> None:
    here, elsewhere = site.signed_in("lead"), site.signed_in("lead")
    before = snapshot(site.url)
    wrong = site.post_form(here, "/account/password", {
        "current": "not-my-password", "password": "brand-new-pass-1",
        "repeat": "brand-new-pass-1"})
    assert wrong.status_code == 422 and 'data-field="current"' in wrong.text
    differ = site.post_form(here, "/account/password", {
        "current": PASSWORDS["lead"], "password": "brand-new-pass-1",
        "repeat": "brand-new-pass-2"})
    assert differ.status_code == 422 and 'data-field="repeat"' in differ.text
    assert beside_guesses(snapshot(site.url)) == beside_guesses(before)

    changed = site.post_form(here, "/account/password", {
        "current": PASSWORDS["lead"], "password": "brand-new-pass-1",
        "repeat": "brand-new-pass-1"})
    assert changed.status_code == 303
    assert here.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/").status_code == 303  # the other one is sent to sign in


def test_a_notice_that_reached_nobody_is_marked_and_counted_on_the_dashboard(
    site: Site,
) -> None:
    with session_scope(get_engine(site.url)) as session:
        session.add(Notification(
            dedupe_key="unreached-1", case_id=site.cases["ACME"], kind="escalation",
            escalation_level=2, audience=["owner", "supplier_quality_head"],
            subject="Escalation: containment overdue", body="b", status="sent", attempts=1,
            created_at=T0, sent_at=T0, unreached="supplier_quality_head"))
    lead = site.signed_in("lead")
    outbox = lead.get("/notifications")
    assert "no recipient: quality head" in outbox.text
    dashboard = lead.get("/")
    card = dashboard.text.split('id="unreached-total"', 1)[1]
    assert '<div class="figure overdue">1</div>' in card


def test_the_opening_form_offers_the_catalogues_and_refuses_an_unknown_owner(
    site: Site,
) -> None:
    lead = site.signed_in("lead")
    form = lead.get("/cases/new").text
    assert '<datalist id="known-owners"><option value="lead"></option></datalist>' in form
    assert '<option value="ACME-P1"></option>' in form  # the part of ACME's case
    assert '<option value="CRACK">Crack or fracture</option>' in form  # the catalogue's
    before = snapshot(site.url)
    refused = site.post_form(lead, "/cases", {
        "lifecycle": "8d", "title": "Scratched lid", "supplier": "ACME", "severity": "major",
        "owner": "nobody-known"}, page="/cases/new")
    assert refused.status_code == 422 and 'data-field="owner"' in refused.text
    assert snapshot(site.url) == before
    opened = site.post_form(lead, "/cases", {
        "lifecycle": "8d", "title": "Scratched lid", "supplier": "ACME", "severity": "major",
        "owner": "lead", "defect_code": "NEW-CODE"}, page="/cases/new")
    assert opened.status_code == 303  # a code the catalogue does not list is still taken
