"""The files panel on the pages: the lead adds files on the case page, the supplier sees only
the shared ones in its portal and adds its own, a viewer gets no form and a 403, another
supplier's file is a 404, and a refused upload shows the page again naming the file with
nothing written (docs/architecture.md, "Attachments")."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Attachment
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.api.conftest import _open
from tests.attachments.conftest import PDF, PNG
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import PASSWORDS, Site, form_token


@pytest.fixture
def site(sqlite_url: str, policy: DeadlinePolicy, fast_password_hashing: None
         ) -> Iterator[Site]:
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


def _upload(client: TestClient, page: str, action: str, name: str, content: bytes,
            **form: str) -> httpx.Response:
    token = form_token(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **form},
                       files={"file": (name, content, "application/octet-stream")})


def _ids(url: str) -> dict[str, int]:
    with session_scope(get_engine(url)) as session:
        return {row.file_name: row.id for row in session.exec(select(Attachment))
                if row.id is not None}


def test_lead_and_supplier_files_on_the_case_page_and_the_portal(site: Site) -> None:
    acme = site.cases["ACME"]
    lead, supplier, other = (site.signed_in(w) for w in ("lead", "acme", "beta"))
    page, portal = f"/cases/{acme}", f"/portal/cases/{acme}"
    shared = _upload(lead, page, f"{page}/files", "crack.png", PNG, shared="yes")
    internal = _upload(lead, page, f"{page}/files", "costs.png", PNG)
    theirs = _upload(supplier, portal, f"{portal}/files", "our 8D.pdf", PDF)
    for answer in (shared, internal, theirs):
        assert answer.status_code == 303, answer.text
    ids = _ids(site.url)

    shown = lead.get(page).text
    assert all(name in shown for name in ("crack.png", "costs.png", "our 8D.pdf"))
    assert "quality team only" in shown and 'enctype="multipart/form-data"' in shown
    seen = supplier.get(portal).text
    assert "crack.png" in seen and "our 8D.pdf" in seen and "costs.png" not in seen

    assert supplier.get(f"/files/{ids['crack.png']}").content == PNG
    for who, name in ((supplier, "costs.png"), (other, "crack.png"), (other, "our 8D.pdf")):
        assert who.get(f"/files/{ids[name]}").status_code == 404
    got = lead.get(f"/files/{ids['our 8D.pdf']}")
    assert got.content == PDF and got.headers["content-security-policy"] == "sandbox"
    assert got.headers["x-content-type-options"] == "nosniff"


def test_a_viewer_reads_files_but_gets_no_form_and_a_403(site: Site) -> None:
    lead, viewer = site.signed_in("lead"), site.signed_in("viewer")
    page = f"/cases/{site.cases['ACME']}"
    _upload(lead, page, f"{page}/files", "crack.png", PNG, shared="yes")
    shown = viewer.get(page).text
    assert "crack.png" in shown and 'enctype="multipart/form-data"' not in shown
    before = snapshot(site.url)
    token = form_token(shown)  # the sign-out form's: the session's token
    refused = viewer.post(f"{page}/files", data={"csrf_token": token},
                          files={"file": ("more.png", PNG, "image/png")})
    assert refused.status_code == 403
    assert snapshot(site.url) == before


def test_a_refused_upload_shows_the_page_again_naming_the_file(site: Site) -> None:
    lead, supplier = site.signed_in("lead"), site.signed_in("acme")
    acme = site.cases["ACME"]
    before = snapshot(site.url)
    answer = _upload(lead, f"/cases/{acme}", f"/cases/{acme}/files", "page.html",
                     b"<!doctype html><script>alert(1)</script>")
    assert answer.status_code == 422
    assert 'data-field="file"' in answer.text
    answer = _upload(supplier, f"/portal/cases/{acme}", f"/portal/cases/{acme}/files",
                     "empty.pdf", b"")
    assert answer.status_code == 422
    assert "is empty" in answer.text
    other = _upload(site.signed_in("beta"), "/portal", f"/portal/cases/{acme}/files",
                    "sneak.png", PNG)
    assert other.status_code == 404
    assert snapshot(site.url) == before
