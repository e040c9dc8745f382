"""The last supplier-quality commands that had no page, now in the web app (issue 12, point 7):
a new supplier on /suppliers (`capa supplier add`), the signed portal link on the supplier page
(`capa supplier link`), resuming a discontinued part (`capa inspect resume`), the CSV imports
of lots on /lots and defects on /defects (`capa inspect import`, `capa defect import`), and
the lead's classification and the parts received on an 8D case's page (`capa defect classify`,
`capa defect parts-received`).

Each form goes through the service the CLI calls: bad input shows the form again with the field
named and writes nothing; a viewer sees no form and is refused a POST with nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models import Case, DefectEvent, InspectionLot, Supplier, SwitchingState
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from capaflow.web.pages import csv_imports
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import PASSWORDS, Site, form_token

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# After every row of examples/lots.csv and examples/defects.csv happened.
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
STOPPED_PART = "HSG-900"


@pytest.fixture
def forms_site(sqlite_url: str, fast_password_hashing: None) -> Iterator[Site]:
    """The site over SQLite at NOW: a lead, a viewer, ACME with a part whose inspection was
    discontinued (ISO 2859-1 9.4; set as `capa inspect resume`'s own test sets it)."""
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="lead", role="quality_lead", password=PASSWORDS["lead"], now=T0)
        add_user(session, name="viewer", role="viewer", password=PASSWORDS["viewer"], now=T0)
        acme = add_supplier(session, code="ACME", name="ACME Corp", contact=None,
                            quality_head=None, executive=None, now=T0)
        assert acme.id is not None
        session.add(SwitchingState(supplier_id=acme.id, part=STOPPED_PART, severity="stopped",
                                   updated_at=T0))
        add_user(session, name="acme", role="supplier", password=PASSWORDS["acme"], now=T0,
                 supplier_code="ACME")
    settings = Settings(database_url=sqlite_url, now=isoformat(NOW), routes="no-routes.toml")
    built = Site(app=create_site(settings), url=sqlite_url, cases={})
    try:
        yield built
    finally:
        for client in built.clients:
            client.__exit__(None, None, None)


def _refused_on(response: httpx.Response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert f'data-field="{field}"' in response.text, response.text


def _upload(client: TestClient, page: str, action: str, name: str,
            content: bytes | None) -> httpx.Response:
    token = form_token(client.get(page).text)
    files = {"file": (name, content, "text/csv")} if content is not None else None
    return client.post(action, data={"csrf_token": token}, files=files)


def _example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


# -- a new supplier ---------------------------------------------------------------------------

NEW = {"code": "NEWCO", "name": "New Co", "contact": "mailto://qa@newco.example",
       "quality_head": "", "executive": ""}


def test_a_writer_adds_a_supplier_on_the_suppliers_page_as_supplier_add(
    forms_site: Site,
) -> None:
    lead = forms_site.signed_in("lead")
    assert 'class="new-supplier"' in lead.get("/suppliers").text
    answer = forms_site.post_form(lead, "/suppliers", NEW)
    assert answer.status_code == 303 and answer.headers["location"] == "/suppliers/NEWCO"
    assert "Supplier NEWCO added (New Co)." in lead.get("/suppliers/NEWCO").text
    with session_scope(get_engine(forms_site.url)) as session:
        added = session.exec(select(Supplier).where(Supplier.code == "NEWCO")).one()
        assert added.contact_url == "mailto://qa@newco.example"
        assert added.quality_head_url is None


@pytest.mark.parametrize(("change", "field", "status"), [
    ({"code": "two words"}, "code", 422),
    ({"name": "  "}, "name", 422),
    ({"contact": "not a notification address"}, "contact", 422),
    ({"code": "ACME"}, "code", 409),  # already registered
])
def test_a_bad_or_existing_supplier_shows_the_form_again_naming_the_field_and_writes_nothing(
    forms_site: Site, change: dict[str, str], field: str, status: int,
) -> None:
    lead = forms_site.signed_in("lead")
    before = snapshot(forms_site.url)
    answer = forms_site.post_form(lead, "/suppliers", {**NEW, **change})
    _refused_on(answer, status, field)
    assert 'value="New Co"' in answer.text or change.get("name") is not None
    assert snapshot(forms_site.url) == before


# -- the portal link --------------------------------------------------------------------------

def test_the_portal_link_opens_the_suppliers_portal_and_is_shown_to_writers_only(
    forms_site: Site,
) -> None:
    lead = forms_site.signed_in("lead")
    page = lead.get("/suppliers/ACME").text
    assert "Portal link for the supplier" in page
    shown = lead.post("/suppliers/ACME/portal-link", data={"csrf_token": form_token(page)})
    assert shown.status_code == 200
    found = re.search(r'id="portal-link-text" readonly value="([^"]+)"', shown.text)
    assert found, shown.text
    link = found.group(1).replace("&amp;", "&")
    assert "/portal/enter?t=" in link
    # Whoever holds the link is in ACME's portal, as with the link the CLI prints.
    holder = forms_site.anonymous()
    opened = holder.get(link[link.index("/portal/enter"):], follow_redirects=True)
    assert opened.status_code == 200 and "ACME" in opened.text

    viewer = forms_site.signed_in("viewer")
    page = viewer.get("/suppliers/ACME").text
    assert "Portal link for the supplier" not in page
    before = snapshot(forms_site.url)
    refused = viewer.post("/suppliers/ACME/portal-link", data={"csrf_token": form_token(page)})
    assert refused.status_code == 403 and "/portal/enter?t=" not in refused.text
    assert snapshot(forms_site.url) == before


# -- resuming a discontinued part -------------------------------------------------------------

def test_a_discontinued_part_is_resumed_at_tightened_from_the_supplier_page(
    forms_site: Site,
) -> None:
    lead = forms_site.signed_in("lead")
    page = lead.get("/suppliers/ACME").text
    assert f'class="resume-inspection" data-part="{STOPPED_PART}"' in page
    before = snapshot(forms_site.url)
    _refused_on(forms_site.post_form(lead, "/suppliers/ACME/resume",
                                     {"part": STOPPED_PART, "reason": " "},
                                     page="/suppliers/ACME"), 422, "reason")
    _refused_on(forms_site.post_form(lead, "/suppliers/ACME/resume",
                                     {"part": "NEVER-STOPPED", "reason": "new die"},
                                     page="/suppliers/ACME"), 409, "part")
    assert forms_site.post_form(lead, "/suppliers/GONE/resume",
                                {"part": STOPPED_PART, "reason": "new die"},
                                page="/suppliers/ACME").status_code == 404
    assert snapshot(forms_site.url) == before

    answer = forms_site.post_form(lead, "/suppliers/ACME/resume",
                                  {"part": STOPPED_PART, "reason": "new die installed"},
                                  page="/suppliers/ACME")
    assert answer.status_code == 303
    after = lead.get("/suppliers/ACME").text
    assert "inspection resumed at tightened" in after
    assert 'class="resume-inspection"' not in after  # nothing left to resume
    with session_scope(get_engine(forms_site.url)) as session:
        assert session.exec(select(SwitchingState)).one().severity == "tightened"


def test_a_viewer_sees_no_supplier_form_and_is_refused_with_nothing_written(
    forms_site: Site,
) -> None:
    viewer = forms_site.signed_in("viewer")
    assert 'class="new-supplier"' not in viewer.get("/suppliers").text
    page = viewer.get("/suppliers/ACME").text
    assert 'class="resume-inspection"' not in page
    token = form_token(viewer.get("/lots").text) if "csrf_token" in viewer.get(
        "/lots").text else form_token(page)
    before = snapshot(forms_site.url)
    for path, data in (("/suppliers", NEW),
                       ("/suppliers/ACME/resume", {"part": STOPPED_PART, "reason": "x"})):
        assert viewer.post(path, data={**data, "csrf_token": token}).status_code == 403
    for path in ("/lots/import", "/defects/import"):
        answer = viewer.post(path, data={"csrf_token": token},
                             files={"file": ("lots.csv", _example("lots.csv"), "text/csv")})
        assert answer.status_code == 403
    assert snapshot(forms_site.url) == before
    assert 'action="/lots/import"' not in viewer.get("/lots").text
    assert 'action="/defects/import"' not in viewer.get("/defects").text


# -- the CSV imports --------------------------------------------------------------------------

def test_importing_lots_csv_on_the_lots_page_shows_the_clis_summary_and_skips_a_second_time(
    forms_site: Site,
) -> None:
    lead = forms_site.signed_in("lead")
    answer = _upload(lead, "/lots", "/lots/import", "lots.csv", _example("lots.csv"))
    assert answer.status_code == 200, answer.text
    assert "Imported 3 of 3 rows from lots.csv" in answer.text
    with session_scope(get_engine(forms_site.url)) as session:
        assert len(session.exec(select(InspectionLot)).all()) == 3
    again = _upload(lead, "/lots", "/lots/import", "lots.csv", _example("lots.csv"))
    assert "Imported 0 of 3 rows from lots.csv" in again.text
    assert "3 already present" in again.text


def test_importing_defects_csv_shows_the_summary_and_the_refused_rows_by_line(
    forms_site: Site,
) -> None:
    lead = forms_site.signed_in("lead")
    answer = _upload(lead, "/defects", "/defects/import", "defects.csv",
                     _example("defects.csv"))
    assert answer.status_code == 200, answer.text
    assert "Imported defects.csv:" in answer.text
    assert "Classified:" in answer.text and "Notices queued:" in answer.text
    # Line 5 of the example says "many" pieces: refused, named by its line and field.
    assert "Refused: 1 row(s) (line 5)" in answer.text
    assert '<tr data-line="5"><td>5</td><td>quantity</td>' in answer.text
    with session_scope(get_engine(forms_site.url)) as session:
        rows = len((EXAMPLES / "defects.csv").read_text().strip().splitlines()) - 1
        assert len(session.exec(select(DefectEvent)).all()) == rows - 1


@pytest.mark.parametrize(("name", "content", "field"), [
    ("none.csv", None, "file"),  # no file chosen
    ("wrong.csv", b"supplier,colour\nACME,red\n", "colour"),  # a column the import lacks
])
def test_a_file_refused_whole_shows_the_form_again_and_writes_nothing(
    forms_site: Site, name: str, content: bytes | None, field: str,
) -> None:
    lead = forms_site.signed_in("lead")
    before = snapshot(forms_site.url)
    for page, action in (("/lots", "/lots/import"), ("/defects", "/defects/import")):
        answer = _upload(lead, page, action, name, content)
        assert answer.status_code == 422, answer.text
        assert f'role="alert" data-field="{field}"' in answer.text
        assert "capa-import-" not in answer.text  # the server's temporary copy is not named
        assert 'id="import"' in answer.text
    assert snapshot(forms_site.url) == before


def test_a_file_over_the_upload_limit_is_refused_naming_the_file(
    forms_site: Site, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_imports, "UPLOAD_LIMIT", 100)
    lead = forms_site.signed_in("lead")
    before = snapshot(forms_site.url)
    _refused_on(_upload(lead, "/lots", "/lots/import", "lots.csv", _example("lots.csv")),
                422, "file")
    assert snapshot(forms_site.url) == before


# -- the lead's classification and the parts received ----------------------------------------

def _imported_case(site: Site, lead: TestClient) -> int:
    _upload(lead, "/defects", "/defects/import", "defects.csv", _example("defects.csv"))
    with session_scope(get_engine(site.url)) as session:
        case = session.exec(select(Case).where(Case.part == "BRK-220")
                            .order_by(col(Case.id))).first()
        assert case is not None and case.id is not None
        return case.id


def test_the_lead_classifies_an_8d_case_one_off_and_records_the_parts_received(
    forms_site: Site,
) -> None:
    lead = forms_site.signed_in("lead")
    case_id = _imported_case(forms_site, lead)
    page = lead.get(f"/cases/{case_id}").text
    assert 'class="classify"' in page and 'class="parts-received"' in page

    before = snapshot(forms_site.url)
    _refused_on(forms_site.post_form(lead, f"/cases/{case_id}/classify",
                                     {"as": "rare", "reason": "seen once"},
                                     page=f"/cases/{case_id}"), 422, "as")
    _refused_on(forms_site.post_form(lead, f"/cases/{case_id}/classify",
                                     {"as": "one_off", "reason": ""},
                                     page=f"/cases/{case_id}"), 422, "reason")
    assert snapshot(forms_site.url) == before

    answer = forms_site.post_form(lead, f"/cases/{case_id}/classify",
                                  {"as": "one_off", "reason": "a die insert broke once"},
                                  page=f"/cases/{case_id}")
    assert answer.status_code == 303
    shown = lead.get(f"/cases/{case_id}").text
    assert f"Case #{case_id} classified one-off" in shown
    assert 'class="classification">one-off<' in shown
    before = snapshot(forms_site.url)
    _refused_on(forms_site.post_form(lead, f"/cases/{case_id}/classify",
                                     {"as": "one-off", "reason": "again"},
                                     page=f"/cases/{case_id}"), 409, "as")
    assert snapshot(forms_site.url) == before

    received = forms_site.post_form(lead, f"/cases/{case_id}/parts-received",
                                    {"note": "20 pieces in"}, page=f"/cases/{case_id}")
    assert received.status_code == 303
    shown = lead.get(f"/cases/{case_id}").text
    assert "parts received" in shown and 'class="parts-received"' not in shown
    before = snapshot(forms_site.url)
    # Nothing owed any more: a second report is a conflict, shown on the page.
    _refused_on(forms_site.post_form(lead, f"/cases/{case_id}/parts-received", {},
                                     page=f"/cases/{case_id}"), 409, "case")
    assert snapshot(forms_site.url) == before


def test_a_viewer_sees_no_classification_form_and_is_refused(forms_site: Site) -> None:
    lead = forms_site.signed_in("lead")
    case_id = _imported_case(forms_site, lead)
    viewer = forms_site.signed_in("viewer")
    page = viewer.get(f"/cases/{case_id}").text
    assert 'id="classification"' in page
    assert 'class="classify"' not in page and 'class="parts-received"' not in page
    token = form_token(viewer.get("/suppliers/ACME").text) if "csrf_token" in viewer.get(
        "/suppliers/ACME").text else form_token(lead.get("/lots").text)
    before = snapshot(forms_site.url)
    assert viewer.post(f"/cases/{case_id}/classify",
                       data={"as": "one_off", "reason": "x", "csrf_token": token}
                       ).status_code == 403
    assert viewer.post(f"/cases/{case_id}/parts-received",
                       data={"csrf_token": token}).status_code == 403
    assert snapshot(forms_site.url) == before


def test_a_suppliers_own_people_reach_none_of_these_forms(forms_site: Site) -> None:
    """Even its own supplier's link and resume are the quality team's: a supplier session is
    sent back to its portal (as on every page of the team's) and nothing is written."""
    acme = forms_site.signed_in("acme")
    token = form_token(acme.get("/portal").text)
    before = snapshot(forms_site.url)
    for path, data in (("/suppliers", NEW), ("/suppliers/ACME/portal-link", {}),
                       ("/suppliers/ACME/resume", {"part": STOPPED_PART, "reason": "x"})):
        answer = acme.post(path, data={**data, "csrf_token": token})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/portal")
        assert "/portal/enter?t=" not in answer.text
    assert snapshot(forms_site.url) == before
