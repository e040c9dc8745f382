"""The nonconformance list and its triage through the API (docs/architecture.md, "Defect
triage"): the list for the quality team only, a bad selection refused naming `defects` with
nothing written, a cancelled case signed, a viewer refused."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import World
from tests.helpers import beside_guesses, snapshot


def _defect(world: World, supplier: str, code: str, qty: int = 1) -> dict[str, Any]:
    response = world.post("lead", "/defects", {"supplier": supplier, "part": f"{supplier}-P9",
                                               "defect_code": code, "quantity": qty})
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def test_the_list_shows_class_and_reason_to_the_team_only(world: World) -> None:
    recorded = _defect(world, "ACME", "BURR", qty=12)
    listed = world.get("viewer", "/defects", params={"supplier": "ACME"})
    assert listed.status_code == 200, listed.text
    (line,) = listed.json()["defects"]
    assert (line["id"], line["classification"]) == (recorded["defect"]["id"], "batch")
    assert line["reason"].startswith("by the rule: 12 defective pieces")
    assert world.get("ACME", "/defects").status_code == 403
    bad = world.get("lead", "/defects", params={"classification": "huge"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "as"


def test_merge_refuses_two_suppliers_and_signs_a_cancel(world: World) -> None:
    acme, beta = _defect(world, "ACME", "BURR"), _defect(world, "ACME", "DENT")
    other = _defect(world, "BETA", "BURR")
    ids = [acme["defect"]["id"], other["defect"]["id"]]
    before = snapshot(world.url)
    mixed = world.post("lead", "/defects/merge", {"defects": ids, "reason": "one lot"})
    assert mixed.status_code == 422 and mixed.json()["error"]["field"] == "defects"
    viewer = world.post("viewer", "/defects/merge", {"defects": ids[:1], "reason": "x"})
    assert viewer.status_code == 403
    assert snapshot(world.url) == before

    pair = [acme["defect"]["id"], beta["defect"]["id"]]
    body = {"defects": pair, "case": acme["case_id"], "reason": "one lot"}
    unsigned = world.post("lead", "/defects/merge", body)
    assert unsigned.status_code == 422 and unsigned.json()["error"]["field"] == "password"
    assert beside_guesses(snapshot(world.url)) == beside_guesses(before)
    merged = world.post("lead", "/defects/merge", {**body, "password": "lead-password-1"})
    assert merged.status_code == 200, merged.text
    assert merged.json()["cancelled_cases"] == [beta["case_id"]]
    closed = world.post("lead", "/defects/close", {"defects": pair, "reason": "sorted"})
    assert closed.status_code == 200 and closed.json()["action"] == "defects_handled"
    again = world.post("lead", "/defects/close", {"defects": pair, "reason": "sorted"})
    assert again.status_code == 409 and again.json()["error"]["field"] == "defects"


def test_reclassify_through_the_api(world: World) -> None:
    recorded = _defect(world, "ACME", "BURR")
    done = world.post("manager", f"/defects/{recorded['defect']['id']}/reclassify",
                      {"as": "batch", "reason": "the whole lot"})
    assert done.status_code == 200, done.text
    assert done.json()["case_id"] == recorded["case_id"]
    missing = world.post("lead", "/defects/999/reclassify", {"as": "batch", "reason": "x"})
    assert missing.status_code == 404
