"""A supplier sees only its own cases, lots and grades: another's answers 404, never its data."""

from __future__ import annotations

import pytest

from tests.api.conftest import World
from tests.helpers import capa

MISSING = 999_999


def _leaks_nothing_of_beta(text: str) -> None:
    assert "BETA" not in text and "secret problem" not in text


def test_supplier_lists_only_its_own_cases_and_itself(world: World) -> None:
    cases = world.get("ACME", "/cases").json()
    assert [c["id"] for c in cases] == [world.cases["ACME"]]
    assert [s["code"] for s in world.get("ACME", "/suppliers").json()] == ["ACME"]


@pytest.mark.parametrize("suffix", ["", "/report"])
def test_another_suppliers_case_answers_like_a_case_that_does_not_exist(
    world: World, suffix: str
) -> None:
    beta = world.get("ACME", f"/cases/{world.cases['BETA']}{suffix}")
    missing = world.get("ACME", f"/cases/{MISSING}{suffix}")
    assert beta.status_code == missing.status_code == 404
    _leaks_nothing_of_beta(beta.text)
    # Same words as for a number that was never used: guessing learns nothing.
    assert beta.json()["error"]["message"] == missing.json()["error"]["message"].replace(
        str(MISSING), str(world.cases["BETA"])
    )


@pytest.mark.parametrize("trigger", ["contain", "close"])
def test_another_suppliers_case_cannot_be_advanced(world: World, trigger: str) -> None:
    response = world.post("ACME", f"/cases/{world.cases['BETA']}/advance",
                          {"trigger": trigger, "fields": {"containment": "x"}})
    assert response.status_code == 404
    _leaks_nothing_of_beta(response.text)
    assert world.get("lead", f"/cases/{world.cases['BETA']}").json()["state"] == "containment"


@pytest.mark.parametrize("path", [
    "/cases?supplier=BETA", "/suppliers/BETA", "/scorecards?supplier=BETA",
    "/inspections?supplier=BETA", "/inspections/plan?supplier=BETA&part=BX-1&lot_size=500",
])
def test_filtering_by_another_supplier_answers_like_an_unknown_supplier(
    world: World, path: str
) -> None:
    response = world.get("ACME", path)
    unknown = world.get("ACME", path.replace("BETA", "NOPE"))
    assert response.status_code == unknown.status_code == 404
    # The message echoes the code asked for, as for any unknown code, and nothing else.
    assert response.text == unknown.text.replace("NOPE", "BETA")
    assert "BETA Corp" not in response.text and "secret problem" not in response.text


def test_another_suppliers_lot_answers_404(world: World) -> None:
    recorded = world.post("lead", "/inspections", {
        "supplier": "BETA", "part": "BX-1", "lot": "L-1", "lot_size": 500, "sampled": 50,
        "defects": 0,
    })
    lot_id = recorded.json()["lot"]["id"]
    assert world.get("BETA", f"/inspections/{lot_id}").status_code == 200
    response = world.get("ACME", f"/inspections/{lot_id}")
    assert response.status_code == 404
    _leaks_nothing_of_beta(response.text)
    assert world.get("ACME", "/inspections").json() == []


def test_supplier_sees_only_its_own_grades(world: World) -> None:
    for code in ("ACME", "BETA"):
        lot = capa("inspect", "record", "--supplier", code, "--part", "P-9", "--lot", "F-1",
                   "--lot-size", "500", "--sampled", "50", "--defects", "0", "--db", world.url,
                   "--now", "2026-02-10T09:00:00+00:00")
        assert lot.exit_code == 0, lot.stderr
    ran = capa("scorecard", "run", "--month", "2026-02", "--db", world.url,
               "--now", "2026-03-02T09:00:00+00:00")
    assert ran.exit_code == 0, ran.stderr
    grades = world.get("ACME", "/scorecards").json()
    assert [g["supplier"] for g in grades] == ["ACME"]
    _leaks_nothing_of_beta(str(grades))
