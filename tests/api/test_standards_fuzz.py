"""A bounded, repeatable fuzz run of the service quality operations (schemathesis: standards,
rounds, findings) with a quality lead's token, who may call every one of them: whatever the
input, never a 5xx, and every 4xx the error document (the checks of tests/api/test_fuzz.py).
Round 1 is owed, so the generator's smallest id finds one."""

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
from tests.cli.support import ok
from tests.conftest import T0
from tests.standards.support import EXAMPLE


@pytest.fixture
def inspector_token(sqlite_url: str) -> str:
    ok(sqlite_url, "standard", "import", str(EXAMPLE), now=T0)
    opened = ok(sqlite_url, "round", "open", "--department", "field_service", "--position",
                "technician", "--inspector", "Ines", now=T0)
    assert opened["id"] == 1
    with session_scope(get_engine(sqlite_url)) as session:
        add_user(session, name="lead", role="quality_lead", password="lead-password-1", now=T0)
        return create_token(session, user_name="lead", now=T0)[1]


@pytest.fixture
def standards_schema(sqlite_url: str, inspector_token: str) -> Any:
    app = create_app(
        Settings(database_url=sqlite_url, now=isoformat(T0), routes="no-routes.toml")
    )
    loaded = schemathesis.openapi.from_asgi(f"{PREFIX}/openapi.json", app)
    loaded.config.seed = 20260302
    return loaded.include(tag="service quality")


schema = schemathesis.pytest.from_fixture("standards_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # As in tests/api/test_fuzz.py: schemathesis reads an attribute pytest 9.2 renamed.
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
@PART_FUZZ_SETTINGS
def test_quality_lead_never_gets_a_server_error_from_service_quality(
    case: Case[Any], inspector_token: str,
) -> None:
    _call(case, inspector_token)
