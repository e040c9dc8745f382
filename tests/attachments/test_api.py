"""The attachments API: upload (multipart), list, download, with the access rules (supplier A
never reads B's files, a supplier never an internal one, a viewer never uploads) and the
download headers that keep an upload from running as a page of the site
(docs/architecture.md, "Attachments")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.api.app import PREFIX
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.attachments.conftest import PDF, PNG
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.conftest import open_8d


@dataclass
class Api:
    client: TestClient
    url: str
    tokens: dict[str, str]
    cases: dict[str, int]

    def get(self, who: str, path: str) -> Any:
        return self.client.get(f"{PREFIX}{path}", headers=self._auth(who))

    def download(self, who: str, path: str) -> Any:
        """The `download` path of a file's document, as given (it carries /api/v1)."""
        return self.client.get(path, headers=self._auth(who))

    def upload(self, who: str, case: int, name: str, content: bytes, **form: str) -> Any:
        return self.client.post(f"{PREFIX}/cases/{case}/attachments", headers=self._auth(who),
                                files={"file": (name, content, "image/png")}, data=form)

    def _auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def api(sqlite_url: str, policy: DeadlinePolicy, fast_password_hashing: None,
        tmp_path: Path) -> Iterator[Api]:
    tokens: dict[str, str] = {}
    with session_scope(get_engine(sqlite_url)) as session:
        for name, role in (("lead", "quality_lead"), ("viewer", "viewer"),
                           ("agent", "service_agent")):
            add_user(session, name=name, role=role, password="a-password-1", now=T0)
            tokens[name] = create_token(session, user_name=name, now=T0)[1]
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Corp", contact=None,
                         quality_head=None, executive=None, now=T0)
        cases = {code: open_8d(session, code, policy) for code in ("ACME", "BETA")}
        for code in ("ACME", "BETA"):
            tokens[code] = create_token(session, supplier_code=code, now=T0)[1]
    site = tmp_path / "site.toml"
    site.write_text("[attachments]\nmax_bytes = 2000\n", encoding="utf-8")
    app = create_app(Settings(database_url=sqlite_url, now=isoformat(T0),
                              routes="no-routes.toml", config=str(site)))
    with TestClient(app) as client:
        yield Api(client=client, url=sqlite_url, tokens=tokens, cases=cases)


def test_lead_and_supplier_upload_and_each_reads_what_it_may(api: Api) -> None:
    acme, beta = api.cases["ACME"], api.cases["BETA"]
    photo = api.upload("lead", acme, "crack.png", PNG)
    assert photo.status_code == 201, photo.text
    internal = api.upload("lead", acme, "cost.png", PNG, visibility="internal").json()
    report = api.upload("ACME", acme, "our 8D.pdf", PDF, visibility="internal")
    assert report.status_code == 201, report.text
    assert report.json()["visibility"] == "shared" and report.json()["by_supplier"]

    assert [a["file_name"] for a in api.get("lead", f"/cases/{acme}/attachments").json()[
        "attachments"]] == ["crack.png", "cost.png", "our 8D.pdf"]
    assert [a["file_name"] for a in api.get("ACME", f"/cases/{acme}/attachments").json()[
        "attachments"]] == ["crack.png", "our 8D.pdf"]
    # Supplier A never reads B's, nor an internal file: the 404 of a file that does not exist.
    for who, path in (("BETA", f"/attachments/{photo.json()['id']}"),
                      ("ACME", f"/attachments/{internal['id']}"),
                      ("BETA", f"/cases/{acme}/attachments")):
        refused = api.get(who, path)
        assert refused.status_code == 404, (who, path, refused.text)
    assert api.get("BETA", f"/cases/{beta}/attachments").json()["attachments"] == []

    got = api.download("lead", report.json()["download"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("inline;")
    assert "filename*=UTF-8''our%208D.pdf" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"] == "sandbox"
    # The viewer reads; the service desk's roles see no evidence.
    assert api.get("viewer", f"/attachments/{photo.json()['id']}").content == PNG
    assert api.get("agent", f"/cases/{acme}/attachments").status_code == 403


def test_text_is_always_a_download_never_a_page(api: Api) -> None:
    made = api.upload("lead", api.cases["ACME"], "sorting.csv", b"lot,sorted\n1,200\n").json()
    got = api.download("lead", made["download"])
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"].startswith("attachment;")


@pytest.mark.parametrize(("who", "name", "content", "status", "field"), [
    ("viewer", "crack.png", PNG, 403, None),
    ("agent", "crack.png", PNG, 403, None),
    ("lead", "big.png", PNG + b"\x00" * 2000, 413, "file"),
    ("lead", "page.html", b"<html><script>alert(1)</script></html>", 422, "file"),
    ("lead", "empty.png", b"", 422, "file"),
    ("lead", "..", PNG, 422, "file"),
    ("BETA", "sneak.png", PNG, 404, "case"),
])
def test_refused_uploads_write_nothing(api: Api, who: str, name: str, content: bytes,
                                       status: int, field: str | None) -> None:
    before = snapshot(api.url)
    answer = api.upload(who, api.cases["ACME"], name, content)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["field"] == field
    assert snapshot(api.url) == before


def test_a_bad_visibility_is_refused_by_name(api: Api) -> None:
    answer = api.upload("lead", api.cases["ACME"], "crack.png", PNG, visibility="public")
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "visibility"


def test_a_supplier_never_learns_an_internal_files_name_from_the_case_or_its_report(
    api: Api
) -> None:
    acme = api.cases["ACME"]
    api.upload("lead", acme, "shared photo.png", PNG)
    api.upload("lead", acme, "internal memo.png", PNG, visibility="internal")
    seen = api.get("ACME", f"/cases/{acme}").text
    assert "shared photo.png" in seen and "internal memo.png" not in seen
    assert "internal memo.png" in api.get("lead", f"/cases/{acme}").text
    # The Markdown report's timeline names each step only: one upload for the supplier, two
    # for the lead.
    report = f"/cases/{acme}/report"
    assert api.get("ACME", report).json()["report"].count("| attach |") == 1
    assert api.get("lead", report).json()["report"].count("| attach |") == 2
