"""An API over a real database (SQLite and PostgreSQL), with a quality lead, a viewer, two
suppliers (ACME and BETA) with a case each, and a token for each of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.calendars import isoformat
from capaflow.casework.engine import open_case
from capaflow.config import Settings
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0


@dataclass
class World:
    client: TestClient
    url: str
    tokens: dict[str, str]
    cases: dict[str, int]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, path: str, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers(who), **kwargs)

    def post(self, who: str, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers(who), json=body)


def _open(session: Session, code: str, policy: DeadlinePolicy) -> int:
    result = open_case(
        session, lifecycle="8d", title=f"Cracked housing from {code}", supplier_code=code,
        part=f"{code}-P1", defect_code="CRACK", severity="major", complex_cause=False,
        owner="lead", team=None, problem=f"secret problem of {code}", actor="lead", now=T0,
        policy=policy,
    )
    assert result.case.id is not None
    return result.case.id


@pytest.fixture
def world(
    db_url: str, policy: DeadlinePolicy, fast_password_hashing: None
) -> Iterator[World]:
    tokens: dict[str, str] = {}
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="lead", role="quality_lead", password="lead-password-1", now=T0)
        add_user(session, name="manager", role="quality_manager", password="mgr-password-1",
                 now=T0)
        add_user(session, name="viewer", role="viewer", password="view-password-1", now=T0)
        for code in ("ACME", "BETA"):
            add_supplier(session, code=code, name=f"{code} Corp", contact=None,
                         quality_head=None, executive=None, now=T0)
        cases = {code: _open(session, code, policy) for code in ("ACME", "BETA")}
        for who in ("lead", "manager", "viewer"):
            tokens[who] = create_token(session, user_name=who, now=T0)[1]
        for code in ("ACME", "BETA"):
            tokens[code] = create_token(session, supplier_code=code, now=T0)[1]
    app_settings = Settings(database_url=db_url, now=isoformat(T0), routes="no-routes.toml")
    with TestClient(create_app(app_settings), raise_server_exceptions=True) as client:
        yield World(client=client, url=db_url, tokens=tokens, cases=cases)
