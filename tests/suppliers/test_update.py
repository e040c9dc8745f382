"""Editing a supplier's master data: audited as a decision in its chain, bad input named and
nothing written (docs/architecture.md, "Master data"). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from capaflow.audittrail.decisions import verify_decisions
from capaflow.errors import BadInput, NotFound
from capaflow.models import SupplierDecision
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import CONTACTS_UPDATED, add_supplier, update_supplier
from tests.conftest import T0
from tests.helpers import snapshot

HEAD = "json://127.0.0.1:9/acme/head"


def _acme(db_url: str) -> None:
    with session_scope(get_engine(db_url)) as session:
        add_supplier(session, code="ACME", name="Acme Castings", contact=None,
                     quality_head=None, executive=None, now=T0)


def test_a_new_head_of_quality_is_kept_and_the_change_is_a_decision_on_record(
    db_url: str,
) -> None:
    _acme(db_url)
    with session_scope(get_engine(db_url)) as session:
        supplier, decision = update_supplier(session, code="ACME", quality_head=HEAD,
                                             name="Acme Castings Ltd", actor="lena", now=T0)
        assert supplier.quality_head_url == HEAD and supplier.name == "Acme Castings Ltd"
        assert decision is not None and decision.decision == CONTACTS_UPDATED
    with Session(get_engine(db_url)) as session:
        [kept] = session.exec(select(SupplierDecision)).all()
        assert kept.actor == "lena" and "quality_head: none -> json://127.0.0.1:9" in kept.reason
        assert "name: 'Acme Castings' -> 'Acme Castings Ltd'" in kept.reason
        assert verify_decisions(session) == (1, ())


def test_an_empty_value_clears_a_contact_and_nothing_changed_records_nothing(
    db_url: str,
) -> None:
    _acme(db_url)
    with session_scope(get_engine(db_url)) as session:
        update_supplier(session, code="ACME", quality_head=HEAD, actor="lena", now=T0)
    before = snapshot(db_url)
    with session_scope(get_engine(db_url)) as session:
        _, decision = update_supplier(session, code="ACME", quality_head=HEAD, actor="lena",
                                      now=T0)
        assert decision is None
    assert snapshot(db_url) == before
    with session_scope(get_engine(db_url)) as session:
        supplier, _ = update_supplier(session, code="ACME", quality_head="", actor="lena",
                                      now=T0)
        assert supplier.quality_head_url is None


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"quality_head": "head@example.com"}, "quality_head"),  # an address, not a URL
        ({"contact": "nonsense://x"}, "contact"),
        ({"executive": "mailto"}, "executive"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        # A good value beside a bad one: the good one is not kept either.
        ({"quality_head": HEAD, "executive": "bad"}, "executive"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    db_url: str, given: dict[str, str], field: str,
) -> None:
    _acme(db_url)
    before = snapshot(db_url)
    with pytest.raises(BadInput) as refused, session_scope(get_engine(db_url)) as session:
        update_supplier(session, code="ACME", actor="lena", now=T0, **given)
    assert refused.value.field == field
    assert snapshot(db_url) == before


def test_an_unknown_supplier_is_not_found(db_url: str) -> None:
    with pytest.raises(NotFound), session_scope(get_engine(db_url)) as session:
        update_supplier(session, code="NOPE", name="x", actor="lena", now=T0)
