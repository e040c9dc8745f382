"""GET /api/v1/service/report?month=: the document `capa service report --format json`
prints, for staff; a supplier is refused, bad input is a 422 naming `month`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.cli.support import iso
from tests.helpers import capa, snapshot
from tests.servicedesk.report_data import MONTH, REPORT_NOW, DataSet, build


@dataclass
class Site:
    client: TestClient
    data: DataSet
    tokens: dict[str, str]

    def get(self, who: str | None, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.get(f"/api/v1{path}", headers=headers)


@pytest.fixture
def site(db_url: str, tmp_path: Path, fast_password_hashing: None) -> Iterator[Site]:
    data = build(db_url, tmp_path)
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="viewer", role="viewer", password="view-password-1",
                 now=REPORT_NOW)
        add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                     executive=None, now=REPORT_NOW)
        tokens = {"viewer": create_token(session, user_name="viewer", now=REPORT_NOW)[1],
                  "ACME": create_token(session, supplier_code="ACME", now=REPORT_NOW)[1]}
    settings = Settings(database_url=db_url, now=isoformat(REPORT_NOW), config=data.config,
                        routes="no-routes.toml")
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        yield Site(client=client, data=data, tokens=tokens)


def test_the_route_answers_the_clis_document(site: Site) -> None:
    answer = site.get("viewer", f"/service/report?month={MONTH}")
    assert answer.status_code == 200, answer.text
    printed = capa("service", "report", "--month", MONTH, "--format", "json", "--db",
                   site.data.url, "--config", site.data.config, "--now", iso(REPORT_NOW))
    assert answer.json() == json.loads(printed.stdout)
    assert answer.json()["breaches_total"] == 3


@pytest.mark.parametrize("month", ["2026-13", "november", "2027-01"])
def test_a_bad_month_is_a_422_naming_month_and_writes_nothing(site: Site, month: str) -> None:
    before = snapshot(site.data.url)
    answer = site.get("viewer", f"/service/report?month={month}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "month"
    assert snapshot(site.data.url) == before


def test_a_missing_month_is_a_422(site: Site) -> None:
    answer = site.get("viewer", "/service/report")
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "month"


def test_suppliers_and_strangers_are_refused(site: Site) -> None:
    assert site.get("ACME", f"/service/report?month={MONTH}").status_code == 403
    assert site.get(None, f"/service/report?month={MONTH}").status_code == 401
