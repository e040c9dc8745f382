"""A bounded, repeatable fuzz run of the incidents' operations (schemathesis), with the token
of a service manager, who may call every one of them: whatever the input, never a 5xx, and
every 4xx the error document (the checks of tests/api/test_fuzz.py)."""

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
from capaflow.config.loader import load_policies
from capaflow.config.policies import validate_policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.incidents.plans import load_plans
from capaflow.incidents.response import declare
from capaflow.models.db import get_engine, session_scope
from tests.api.test_fuzz import PART_FUZZ_SETTINGS, _call
from tests.conftest import T0


@pytest.fixture
def manager_token(sqlite_url: str, policy: DeadlinePolicy) -> str:
    policies = validate_policies(load_policies())
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="desk", role="service_manager", password="desk-password-1",
                 now=T0)
        view = declare(session, plans=load_plans(policies),
                       departments=tuple(policies.departments), policy=policy,
                       type="power_outage", severity="S1", title=None, department=None,
                       drill=False, actor="desk", now=T0)
        assert view.incident.case_id == 1  # the id the generator tries first
        return create_token(session, user_name="desk", now=T0)[1]


@pytest.fixture
def incident_schema(sqlite_url: str, manager_token: str) -> Any:
    app = create_app(
        Settings(database_url=sqlite_url, now=isoformat(T0), routes="no-routes.toml")
    )
    loaded = schemathesis.openapi.from_asgi(f"{PREFIX}/openapi.json", app)
    loaded.config.seed = 20261203
    return loaded.include(tag="incidents")


schema = schemathesis.pytest.from_fixture("incident_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # As in tests/api/test_fuzz.py: schemathesis reads an attribute pytest 9.2 renamed.
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
@PART_FUZZ_SETTINGS
def test_service_manager_never_gets_a_server_error_from_incidents(
    case: Case[Any], manager_token: str
) -> None:
    _call(case, manager_token)
