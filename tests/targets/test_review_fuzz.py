"""A bounded, repeatable fuzz run of the review's routes (schemathesis), with the token of a
service manager, who may call both: whatever the month or department, never a 5xx, and every
4xx the error document (the checks of tests/api/test_fuzz.py)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis import Case

from capaflow.accounts import add_user, create_token
from capaflow.api import create_app
from capaflow.api.app import PREFIX
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from tests.api.test_fuzz import PART_FUZZ_SETTINGS, _call
from tests.conftest import T0


@pytest.fixture
def manager_token(sqlite_url: str) -> str:
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="manager", role="service_manager",
                 password="manager-password-1", now=T0)
        return create_token(session, user_name="manager", now=T0)[1]


@pytest.fixture
def review_schema(sqlite_url: str, manager_token: str) -> Any:
    app = create_app(
        Settings(database_url=sqlite_url, now=isoformat(T0), routes="no-routes.toml")
    )
    loaded = schemathesis.openapi.from_asgi(f"{PREFIX}/openapi.json", app)
    loaded.config.seed = 20270101
    return loaded.include(tag="reviews")


schema = schemathesis.pytest.from_fixture("review_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # As in tests/api/test_fuzz.py: schemathesis reads an attribute pytest 9.2 renamed.
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
@PART_FUZZ_SETTINGS
def test_service_manager_never_gets_a_server_error(case: Case[Any], manager_token: str) -> None:
    _call(case, manager_token)
