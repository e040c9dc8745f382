"""A bounded, repeatable fuzz run of the service desk's operations (schemathesis), with the
token of a service manager, who may call every one of them: whatever the input, never a 5xx,
and every 4xx the error document (the checks of tests/api/test_fuzz.py)."""

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
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.runtime.root import Runtime
from capaflow.servicedesk.register import add_customer, add_person
from capaflow.servicedesk.requests import open_request
from tests.api.test_fuzz import PART_FUZZ_SETTINGS, _call
from tests.conftest import T0


@pytest.fixture
def desk_token(sqlite_url: str, policy: DeadlinePolicy) -> str:
    desk = Runtime(settings=Settings(database_url=sqlite_url)).service_desk
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="desk", role="service_manager", password="desk-password-1",
                 now=T0)
        add_customer(session, desk=desk, code="KEY1", name="Key One", tier="key",
                     contact=None, now=T0)
        add_person(session, name="ann", team="desk", skills=None, lead=True, now=T0)
        opened = open_request(
            session, desk=desk, policy=policy, customer="KEY1", kind="request",
            severity="S3", category="general", channel="phone", title="A question",
            description=None, assignee=None, actor="desk", now=T0)
        assert opened.case.id == 1  # the id the generator tries first
        return create_token(session, user_name="desk", now=T0)[1]


@pytest.fixture
def desk_schema(sqlite_url: str, desk_token: str) -> Any:
    app = create_app(
        Settings(database_url=sqlite_url, now=isoformat(T0), routes="no-routes.toml")
    )
    loaded = schemathesis.openapi.from_asgi(f"{PREFIX}/openapi.json", app)
    loaded.config.seed = 20260302
    return loaded.include(tag="service desk")


schema = schemathesis.pytest.from_fixture("desk_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # As in tests/api/test_fuzz.py: schemathesis reads an attribute pytest 9.2 renamed.
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
@PART_FUZZ_SETTINGS
def test_service_manager_never_gets_a_server_error(case: Case[Any], desk_token: str) -> None:
    _call(case, desk_token)
