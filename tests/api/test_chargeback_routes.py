"""GET/POST /cases/{id}/costs and GET /chargeback: a case's costs and a supplier's monthly
statement, through the chargeback services as `capa cost add|list` and `capa chargeback`,
answering the same documents. A supplier sees its own, and only its own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from capaflow.calendars import isoformat
from tests.api.conftest import World
from tests.conftest import T0
from tests.helpers import capa, snapshot

REWORK = {"kind": "rework", "amount": "120.50", "currency": "eur", "note": "re-machined"}


def _cli_json(world: World, *args: str) -> Any:
    result = capa(*args, "--json", "--db", world.url, "--now", isoformat(T0))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_cost_is_recorded_on_the_case_and_listed_as_capa_cost_list_shows_it(
    world: World
) -> None:
    case_id = world.cases["ACME"]
    added = world.post("manager", f"/cases/{case_id}/costs", REWORK)
    assert added.status_code == 201, added.text
    cost = added.json()
    assert cost["case"] == case_id
    assert (cost["kind"], cost["amount"], cost["currency"]) == ("rework", "120.50", "EUR")
    assert cost["recorded_by"] == "manager"
    assert cost["incurred_at"] == isoformat(T0)
    listed = world.get("viewer", f"/cases/{case_id}/costs")
    assert listed.status_code == 200
    assert listed.json() == [cost] == _cli_json(world, "cost", "list", str(case_id))


def test_a_cost_may_say_when_it_was_incurred(world: World) -> None:
    added = world.post("lead", f"/cases/{world.cases['ACME']}/costs",
                       REWORK | {"at": "2026-02-27T15:00:00+01:00"})
    assert added.status_code == 201, added.text
    assert added.json()["incurred_at"] == "2026-02-27T14:00:00+00:00"


def test_the_statement_answers_the_document_of_capa_chargeback(world: World) -> None:
    case_id = world.cases["ACME"]
    for body in (REWORK, REWORK | {"amount": "79.50"},
                 {"kind": "line_stop", "amount": "1000", "currency": "USD"}):
        assert world.post("lead", f"/cases/{case_id}/costs", body).status_code == 201
    response = world.get("viewer", "/chargeback", params={"supplier": "ACME", "month": "2026-03"})
    assert response.status_code == 200, response.text
    statement = response.json()
    assert statement["supplier"] == "ACME" and statement["month"] == "2026-03"
    assert statement["totals"] == {"EUR": "200.00", "USD": "1000.00"}
    assert statement == _cli_json(world, "chargeback", "--supplier", "ACME", "--month",
                                  "2026-03")
    # The supplier reads its own statement, with the same figures.
    own = world.get("ACME", "/chargeback", params={"supplier": "ACME", "month": "2026-03"})
    assert own.status_code == 200
    assert own.json() == statement


def test_a_supplier_sees_the_costs_of_its_own_cases(world: World) -> None:
    case_id = world.cases["ACME"]
    world.post("lead", f"/cases/{case_id}/costs", REWORK)
    response = world.get("ACME", f"/cases/{case_id}/costs")
    assert response.status_code == 200
    assert [c["amount"] for c in response.json()] == ["120.50"]


@pytest.mark.parametrize(("body", "field"), [
    (REWORK | {"kind": "magic"}, "kind"),
    (REWORK | {"amount": "12.345"}, "amount"),
    (REWORK | {"amount": "-5"}, "amount"),
    (REWORK | {"amount": "twelve"}, "amount"),
    (REWORK | {"amount": 12}, "amount"),  # a string, as money is everywhere else
    (REWORK | {"currency": "EURO"}, "currency"),
    (REWORK | {"at": "yesterday"}, "at"),
    (REWORK | {"at": "2026-03-03T09:00:00+00:00"}, "at"),  # after now
    (REWORK | {"colour": "red"}, "colour"),
    ({"kind": "rework", "currency": "EUR"}, "amount"),
])
def test_bad_cost_is_422_naming_the_field_and_writes_nothing(
    world: World, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.url)
    response = world.post("lead", f"/cases/{world.cases['ACME']}/costs", body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "bad_input"
    assert response.json()["error"]["field"] == field
    assert snapshot(world.url) == before


def test_a_cost_on_a_case_without_a_supplier_is_422(world: World) -> None:
    opened = world.post("lead", "/cases", {"title": "Our own mistake"})
    case_id = opened.json()["case"]["id"]
    before = snapshot(world.url)
    response = world.post("lead", f"/cases/{case_id}/costs", REWORK)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "case"
    assert snapshot(world.url) == before


@pytest.mark.parametrize(("params", "field"), [
    ({"supplier": "ACME", "month": "March"}, "month"),
    ({"supplier": "ACME", "month": "2026-04"}, "month"),  # not over, not even begun
    ({"supplier": "ACME"}, "month"),
    ({"month": "2026-03"}, "supplier"),
])
def test_bad_statement_query_is_422_naming_the_field(
    world: World, params: dict[str, str], field: str
) -> None:
    response = world.get("lead", "/chargeback", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_unknown_case_and_supplier_are_404(world: World) -> None:
    assert world.get("lead", "/cases/424242/costs").status_code == 404
    assert world.post("lead", "/cases/424242/costs", REWORK).status_code == 404
    response = world.get("lead", "/chargeback", params={"supplier": "NOPE", "month": "2026-03"})
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "supplier"


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_suppliers_case_costs_answer_like_a_case_that_does_not_exist(
    world: World, method: str
) -> None:
    world.post("lead", f"/cases/{world.cases['BETA']}/costs", REWORK)
    before = snapshot(world.url)
    path = "/cases/{}/costs"
    if method == "get":
        beta = world.get("ACME", path.format(world.cases["BETA"]))
        missing = world.get("ACME", path.format(424242))
    else:
        beta = world.post("ACME", path.format(world.cases["BETA"]), REWORK)
        missing = world.post("ACME", path.format(424242), REWORK)
    assert beta.status_code == missing.status_code == 404
    assert beta.json()["error"]["message"] == missing.json()["error"]["message"].replace(
        "424242", str(world.cases["BETA"]))
    assert "120.50" not in beta.text and "BETA" not in beta.text
    assert snapshot(world.url) == before


def test_another_suppliers_statement_answers_like_an_unknown_supplier(world: World) -> None:
    world.post("lead", f"/cases/{world.cases['BETA']}/costs", REWORK)
    beta = world.get("ACME", "/chargeback", params={"supplier": "BETA", "month": "2026-03"})
    unknown = world.get("ACME", "/chargeback", params={"supplier": "NOPE", "month": "2026-03"})
    assert beta.status_code == unknown.status_code == 404
    assert beta.text == unknown.text.replace("NOPE", "BETA")
    assert "120.50" not in beta.text


@pytest.mark.parametrize("who", ["viewer", "ACME"])
def test_only_a_writer_may_record_a_cost(world: World, who: str) -> None:
    before = snapshot(world.url)
    response = world.post(who, f"/cases/{world.cases['ACME']}/costs", REWORK)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"
    assert snapshot(world.url) == before


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/cases/{ACME}/costs"),
    ("post", "/cases/{ACME}/costs"),
    ("get", "/chargeback?supplier=ACME&month=2026-03"),
])
def test_costs_and_statement_without_a_token_are_401(world: World, method: str,
                                                     path: str) -> None:
    before = snapshot(world.url)
    url = f"/api/v1{path.format(**world.cases)}"
    response = (world.client.get(url) if method == "get"
                else world.client.post(url, json=REWORK))
    assert response.status_code == 401
    assert snapshot(world.url) == before


def test_an_amount_too_large_to_count_in_cents_is_422_not_a_server_error(world: World) -> None:
    before = snapshot(world.url)
    response = world.post("lead", f"/cases/{world.cases['ACME']}/costs",
                          REWORK | {"amount": "1E+100"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "bad_input"
    assert snapshot(world.url) == before
