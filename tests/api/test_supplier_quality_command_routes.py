"""The last supplier-quality commands through the API, as the CLI and the pages (issue 12,
point 7): the supplier's portal link, resuming a discontinued part, and the lead's
classification and the parts received on an 8D case. Writers only (a viewer or a supplier:
403), bad input 422 naming the field, nothing written on a refusal."""

from __future__ import annotations

from sqlmodel import Session, select

from capaflow.models import Supplier, SwitchingState
from capaflow.models.db import get_engine
from tests.api.conftest import World
from tests.conftest import T0
from tests.helpers import snapshot


def test_the_portal_link_is_signed_for_writers_only(world: World) -> None:
    answer = world.post("lead", "/suppliers/ACME/link", {})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["supplier"] == "ACME" and "/portal/enter?t=" in document["link"]
    before = snapshot(world.url)
    assert world.post("viewer", "/suppliers/ACME/link", {}).status_code == 403
    assert world.post("ACME", "/suppliers/ACME/link", {}).status_code == 403
    assert world.post("lead", "/suppliers/GONE/link", {}).status_code == 404
    assert snapshot(world.url) == before


def test_a_discontinued_part_is_resumed_at_tightened_and_another_is_a_conflict(
    world: World,
) -> None:
    with Session(get_engine(world.url)) as session:
        acme = session.exec(select(Supplier).where(Supplier.code == "ACME")).one()
        assert acme.id is not None
        session.add(SwitchingState(supplier_id=acme.id, part="HSG-900", severity="stopped",
                                   updated_at=T0))
        session.commit()
    body = {"supplier": "ACME", "part": "HSG-900", "reason": "new die installed"}
    before = snapshot(world.url)
    assert world.post("viewer", "/inspections/resume", body).status_code == 403
    empty = world.post("lead", "/inspections/resume", {**body, "reason": " "})
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "reason"
    other = world.post("lead", "/inspections/resume", {**body, "part": "OTHER"})
    assert other.status_code == 409 and other.json()["error"]["field"] == "part"
    assert snapshot(world.url) == before
    resumed = world.post("lead", "/inspections/resume", body)
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["severity"], resumed.json()["by"]) == ("tightened", "lead")


def test_the_lead_classifies_a_case_and_records_the_parts_received(world: World) -> None:
    recorded = world.post("lead", "/defects", {"supplier": "ACME", "part": "ACME-P9",
                                               "defect_code": "BURR", "quantity": 1})
    assert recorded.status_code == 201, recorded.text
    case_id = recorded.json()["case_id"]
    path = f"/defects/cases/{case_id}"
    classify = f"/cases/{case_id}/classification"
    before = snapshot(world.url)
    bad = world.post("lead", classify, {"as": "rare", "reason": "x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "as"
    assert world.post("viewer", classify,
                      {"as": "one_off", "reason": "x"}).status_code == 403
    assert world.post("lead", "/cases/99999/classification",
                      {"as": "one_off", "reason": "x"}).status_code == 404
    assert snapshot(world.url) == before

    classified = world.post("lead", classify,
                            {"as": "one_off", "reason": "a die insert broke once"})
    assert classified.status_code == 200, classified.text
    assert classified.json()["classification"] == "one_off"
    again = world.post("lead", classify, {"as": "one_off", "reason": "again"})
    assert again.status_code == 409 and again.json()["error"]["field"] == "as"

    received = world.post("lead", f"{path}/parts-received", {"note": "20 pieces in"})
    assert received.status_code == 200, received.text
    assert received.json()["case_id"] == case_id
    before = snapshot(world.url)
    none_owed = world.post("lead", f"{path}/parts-received", {})
    assert none_owed.status_code == 409 and none_owed.json()["error"]["field"] == "case"
    assert snapshot(world.url) == before
