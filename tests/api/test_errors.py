"""Bad input is a 422 naming the field and writes nothing; conflicts are 409; never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import World
from tests.helpers import snapshot


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/cases/{ACME}/advance", {"trigger": "contain", "fields": {}}, "containment"),
    ("/cases/{ACME}/advance", {"trigger": "fly"}, "trigger"),
    ("/cases/{ACME}/advance", {"trigger": "contain", "colour": "red"}, "colour"),
    ("/cases/{ACME}/advance", {"fields": {"containment": "x"}}, "trigger"),
    ("/cases/{ACME}/advance", {"trigger": "contain", "fields": {"containment": 5}},
     "fields.containment"),
    ("/cases", {"title": "nul\x00byte"}, "title"),
    ("/cases", {"title": "x", "severity": "apocalyptic"}, "severity"),
    ("/cases", {"title": "   "}, "title"),
    ("/cases", {"title": "x", "lifecycle": "waterfall"}, "lifecycle"),
    ("/suppliers", {"code": "bad code!", "name": "x"}, "code"),
    ("/defects", {"supplier": "ACME", "part": "P", "defect_code": "D", "quantity": "many"},
     "quantity"),
    ("/defects", {"supplier": "ACME", "part": "P", "defect_code": "D",
                  "occurred_at": "yesterday"}, "occurred_at"),
    ("/inspections", {"supplier": "ACME", "part": "P", "lot": "L", "lot_size": 2**40,
                      "sampled": 1, "defects": 0}, "lot_size"),
])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    world: World, path: str, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.url)
    response = world.post("lead", path.format(**world.cases), body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "bad_input"
    assert response.json()["error"]["field"] == field
    assert snapshot(world.url) == before


@pytest.mark.parametrize(("path", "field"), [
    ("/cases/99999999999999999999", "case_id"),
    ("/cases/0", "case_id"),
    ("/cases?limit=0", "limit"),
    ("/cases?state=flying", "state"),
    ("/cases?lifecycle=waterfall", "lifecycle"),
    ("/notifications?status=lost", "status"),
    ("/inspections/plan?supplier=ACME&part=P", "lot_size"),
    ("/scorecards?months=0", "months"),
])
def test_bad_query_or_path_is_422_naming_the_field(world: World, path: str, field: str) -> None:
    response = world.get("lead", path)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_malformed_json_is_422(world: World) -> None:
    before = snapshot(world.url)
    response = world.client.post(
        f"/api/v1/cases/{world.cases['ACME']}/advance", content=b"{not json",
        headers=world.headers("lead") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert snapshot(world.url) == before


def test_trigger_not_allowed_in_this_state_is_409_listing_the_allowed(world: World) -> None:
    before = snapshot(world.url)
    response = world.post("lead", f"/cases/{world.cases['ACME']}/advance",
                          {"trigger": "implement_countermeasure",
                           "fields": {"countermeasure": "x"}})
    assert response.status_code == 409
    assert "contain" in response.json()["error"]["allowed"]
    assert snapshot(world.url) == before


@pytest.mark.postgres
def test_stale_version_is_409(world: World) -> None:
    case_id = world.cases["ACME"]
    version = world.get("lead", f"/cases/{case_id}").json()["version"]
    step = {"trigger": "contain", "fields": {"containment": "x"}, "version": version}
    assert world.post("lead", f"/cases/{case_id}/advance", step).status_code == 200
    again = world.post("manager", f"/cases/{case_id}/advance",
                       step | {"trigger": "find_root_cause"})
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "version"


@pytest.mark.postgres
def test_duplicate_supplier_is_409(world: World) -> None:
    response = world.post("lead", "/suppliers", {"code": "ACME", "name": "again"})
    assert response.status_code == 409


def test_unknown_case_and_unknown_route_are_404_documents(world: World) -> None:
    assert world.get("lead", "/cases/424242").json()["error"]["code"] == "not_found"
    response = world.get("lead", "/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body", [
    b"{not json", b'{"title": "x"', b"[1,", b"\x80abc", b'{"title": "\xff"}', b"[" * 100_000,
])
@pytest.mark.parametrize("path", ["/cases", "/cases/{ACME}/advance", "/suppliers", "/defects"])
def test_a_body_that_is_not_json_is_422_naming_the_body_and_writes_nothing(
    world: World, path: str, body: bytes
) -> None:
    before = snapshot(world.url)
    response = world.client.post(
        f"/api/v1{path.format(**world.cases)}", content=body,
        headers=world.headers("lead") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("bad_input", "body"), error
    assert error["message"].startswith("body: not valid JSON")
    assert snapshot(world.url) == before
