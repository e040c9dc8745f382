"""GET /audits and GET /audits/{id}: supplier audits (5M1E) with their findings, answering
the document of `capa supplier-audit show` (planning and conducting them:
test_audit_conduct_routes.py). A supplier sees its own audits only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from capaflow.calendars import isoformat
from tests.api.conftest import World
from tests.conftest import T0
from tests.helpers import capa, snapshot

MISSING = 424242


def _cli_json(world: World, *args: str) -> Any:
    result = capa(*args, "--json", "--db", world.url, "--now", isoformat(T0))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def audits(world: World) -> dict[str, int]:
    """A conducted audit of ACME with one finding open, and a planned one of BETA."""
    found = {}
    for code in ("ACME", "BETA"):
        planned = _cli_json(world, "supplier-audit", "plan", "--supplier", code,
                            "--owner", "lead", "--scope", f"{code} line 2 (secret scope)")
        found[code] = planned["case"]["id"]
    _cli_json(world, "supplier-audit", "conduct", str(found["ACME"]), "--auditors", "lead",
              "--fail", "measurement.calibration=two gauges past their calibration date")
    return found


def test_an_audit_answers_the_document_of_capa_supplier_audit_show(
    world: World, audits: dict[str, int]
) -> None:
    response = world.get("viewer", f"/audits/{audits['ACME']}")
    assert response.status_code == 200, response.text
    document = response.json()
    assert document == _cli_json(world, "supplier-audit", "show", str(audits["ACME"]))
    assert document["supplier"] == "ACME" and document["lifecycle"] == "audit"
    assert [f["item"] for f in document["findings"]] == ["measurement.calibration"]
    assert document["open_findings"] == 1


def test_audits_are_listed_with_their_findings_oldest_first(
    world: World, audits: dict[str, int]
) -> None:
    response = world.get("viewer", "/audits")
    assert response.status_code == 200, response.text
    assert [a["id"] for a in response.json()] == [audits["ACME"], audits["BETA"]]
    shown = [world.get("viewer", f"/audits/{a}").json() for a in (audits["ACME"],
                                                                     audits["BETA"])]
    assert response.json() == shown
    planned = world.get("lead", "/audits", params={"state": "planned"}).json()
    assert [a["id"] for a in planned] == [audits["BETA"]]
    beta = world.get("lead", "/audits", params={"supplier": "BETA"}).json()
    assert [a["id"] for a in beta] == [audits["BETA"]]
    # The 8D cases of the fixture are not audits.
    assert world.cases["ACME"] not in [a["id"] for a in response.json()]


def test_a_supplier_lists_and_reads_only_its_own_audits(
    world: World, audits: dict[str, int]
) -> None:
    listed = world.get("ACME", "/audits")
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [audits["ACME"]]
    assert "BETA" not in listed.text
    assert world.get("ACME", f"/audits/{audits['ACME']}").status_code == 200


def test_another_suppliers_audit_answers_like_an_audit_that_does_not_exist(
    world: World, audits: dict[str, int]
) -> None:
    beta = world.get("ACME", f"/audits/{audits['BETA']}")
    missing = world.get("ACME", f"/audits/{MISSING}")
    assert beta.status_code == missing.status_code == 404
    assert beta.json()["error"]["message"] == missing.json()["error"]["message"].replace(
        str(MISSING), str(audits["BETA"]))
    assert "BETA" not in beta.text
    by_code = world.get("ACME", "/audits", params={"supplier": "BETA"})
    unknown = world.get("ACME", "/audits", params={"supplier": "NOPE"})
    assert by_code.status_code == unknown.status_code == 404
    assert by_code.text == unknown.text.replace("NOPE", "BETA")


def test_a_case_that_is_not_an_audit_is_refused_as_the_cli_refuses_it(
    world: World, audits: dict[str, int]
) -> None:
    response = world.get("lead", f"/audits/{world.cases['ACME']}")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "case"
    assert "not an audit" in response.json()["error"]["message"]


@pytest.mark.parametrize(("path", "field"), [
    ("/audits?state=flying", "state"),
    ("/audits?state=containment", "state"),  # an 8D state, not an audit's
    ("/audits?limit=0", "limit"),
    ("/audits/0", "case_id"),
    ("/audits/99999999999999999999", "case_id"),
])
def test_bad_query_or_path_is_422_naming_the_field_and_writes_nothing(
    world: World, audits: dict[str, int], path: str, field: str
) -> None:
    before = snapshot(world.url)
    response = world.get("lead", path)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert snapshot(world.url) == before


@pytest.mark.parametrize("path", ["/audits", "/audits/{ACME}"])
def test_audits_without_a_token_are_401(world: World, audits: dict[str, int],
                                        path: str) -> None:
    response = world.client.get(f"/api/v1{path.format(**audits)}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
