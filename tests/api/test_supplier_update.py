"""PATCH /api/v1/suppliers/{code}: a writer changes a supplier's contacts, on record; a
viewer is refused 403, another supplier's code is 404, bad input 422 naming the field, and
nothing is written on any refusal (docs/architecture.md, "Master data")."""

from __future__ import annotations

from sqlmodel import Session, select

from capaflow.models import SupplierDecision
from capaflow.models.db import get_engine
from tests.api.conftest import World
from tests.helpers import snapshot

HEAD = "json://127.0.0.1:9/acme/head"


def _patch(world: World, who: str, code: str, body: dict[str, str]) -> object:
    return world.client.patch(f"/api/v1/suppliers/{code}", headers=world.headers(who), json=body)


def test_a_lead_sets_the_head_of_quality_and_it_is_on_record(world: World) -> None:
    response = _patch(world, "lead", "ACME", {"quality_head": HEAD})
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.json()["quality_head"] == HEAD  # type: ignore[attr-defined]
    with Session(get_engine(world.url)) as session:
        [decision] = session.exec(select(SupplierDecision)).all()
        assert (decision.actor, decision.decision) == ("lead", "contacts_updated")


def test_refusals_write_nothing(world: World) -> None:
    before = snapshot(world.url)
    viewer = _patch(world, "viewer", "ACME", {"quality_head": HEAD})
    assert viewer.status_code == 403  # type: ignore[attr-defined]
    other = _patch(world, "ACME", "BETA", {"quality_head": HEAD})
    assert other.status_code == 404  # type: ignore[attr-defined]
    own = _patch(world, "ACME", "ACME", {"quality_head": HEAD})  # a supplier is no writer
    assert own.status_code == 403  # type: ignore[attr-defined]
    bad = _patch(world, "lead", "ACME", {"quality_head": "head@acme.com"})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert bad.json()["error"]["field"] == "quality_head"  # type: ignore[attr-defined]
    assert snapshot(world.url) == before
