"""A bounded, repeatable fuzz run of the service quality control operations (schemathesis)
with a service manager's token, who may call every one of them: whatever the input, never a
5xx, and every 4xx the error document (the checks of tests/api/test_fuzz.py). Work item 1
exists, so the generator's smallest id finds something."""

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
from capaflow.servicedesk.register import add_person
from capaflow.workchecks.items import open_item
from tests.api.test_fuzz import PART_FUZZ_SETTINGS, _call
from tests.conftest import T0


@pytest.fixture
def manager_token(sqlite_url: str, policy: DeadlinePolicy) -> str:
    policies = Runtime(settings=Settings(database_url=sqlite_url)).policies
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="desk", role="service_manager", password="desk-password-1",
                 now=T0)
        add_person(session, name="ann", team="field", skills=None, lead=False, now=T0)
        opened = open_item(session, policies=policies, policy=policy, title="Install",
                           department="field_service", team="field", request_id=None,
                           actor="desk", now=T0)
        assert opened.case.id == 1
        return create_token(session, user_name="desk", now=T0)[1]


@pytest.fixture
def control_schema(sqlite_url: str, manager_token: str) -> Any:
    app = create_app(
        Settings(database_url=sqlite_url, now=isoformat(T0), routes="no-routes.toml")
    )
    loaded = schemathesis.openapi.from_asgi(f"{PREFIX}/openapi.json", app)
    loaded.config.seed = 20261203
    return loaded.include(tag="service quality control")


schema = schemathesis.pytest.from_fixture("control_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # As in tests/api/test_fuzz.py: schemathesis reads an attribute pytest 9.2 renamed.
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
@PART_FUZZ_SETTINGS
def test_service_manager_never_gets_a_server_error(case: Case[Any], manager_token: str) -> None:
    _call(case, manager_token)
