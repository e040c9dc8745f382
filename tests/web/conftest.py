"""The site (pages + API) over a real database, with a quality lead, a viewer, two suppliers
(ACME and BETA) with a case and an account each, and a browser-like client per person (each
its own cookie jar)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from capaflow.accounts import add_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.api.conftest import _open
from tests.conftest import T0

PASSWORDS = {
    "lead": "lead-password-1",
    "viewer": "view-password-1",
    "acme": "acme-password-1",
    "beta": "beta-password-1",
}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token a page wrote into its forms."""
    found = _TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


@dataclass
class Site:
    app: FastAPI
    url: str
    cases: dict[str, int]
    clients: list[TestClient] = field(default_factory=list)

    def anonymous(self) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        client.__enter__()
        self.clients.append(client)
        return client

    def signed_in(self, who: str) -> TestClient:
        client = self.anonymous()
        answer = sign_in(client, who, PASSWORDS[who])
        assert answer.status_code == 303, answer.text
        return client

    def post_form(self, client: TestClient, path: str, data: dict[str, Any],
                  page: str | None = None) -> httpx.Response:
        """POST a form as a browser would: with the token from the page that shows it."""
        shown = client.get(page or path)
        return client.post(path, data={**data, "csrf_token": form_token(shown.text)})


def sign_in(client: TestClient, name: str, password: str, next_path: str = "") -> httpx.Response:
    form = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "next": next_path,
                                       "csrf_token": form_token(form.text)})


@pytest.fixture
def site(
    db_url: str, policy: DeadlinePolicy, fast_password_hashing: None
) -> Iterator[Site]:
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="lead", role="quality_lead", password=PASSWORDS["lead"], now=T0)
        add_user(session, name="viewer", role="viewer", password=PASSWORDS["viewer"], now=T0)
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Corp", contact=None,
                         quality_head=None, executive=None, now=T0)
            add_user(session, name=code.lower(), role="supplier",
                     password=PASSWORDS[code.lower()], now=T0, supplier_code=code)
        cases = {code: _open(session, code, policy) for code in ("ACME", "BETA")}
    settings = Settings(database_url=db_url, now=isoformat(T0), routes="no-routes.toml")
    built = Site(app=create_site(settings), url=db_url, cases=cases)
    try:
        yield built
    finally:
        for client in built.clients:
            client.__exit__(None, None, None)
