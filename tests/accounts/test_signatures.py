"""Signed decisions: only a quality team writer signs, with their own password re-entered, and
the signature says who, when and what it means; lifting a blacklist keeps it on record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from capaflow.accounts import Principal, add_user, disable_user
from capaflow.accounts.signatures import (
    CANCEL_CASE,
    CLOSE_CASE,
    LIFT_BLACKLIST,
    MEANINGS,
    METHOD,
    SignerRefused,
    check_signature,
    meaning_for,
    sign,
)
from capaflow.accounts.tokens import user_principal
from capaflow.accounts.users import find_user
from capaflow.errors import BadInput
from capaflow.models import Supplier, SupplierDecision
from capaflow.scorecards.decisions import lift_blacklist
from capaflow.suppliers.registry import add_supplier, get_supplier
from tests.conftest import T0
from tests.helpers import snapshot

LATER = T0 + timedelta(hours=3)


@pytest.fixture
def people(session: Session) -> dict[str, Principal]:
    add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                 executive=None, now=T0)
    for name, role in (("lena", "quality_lead"), ("max", "quality_manager"),
                       ("vera", "viewer")):
        add_user(session, name=name, role=role, password=f"{name}-password-1", now=T0)
    add_user(session, name="acme-qa", role="supplier", password="acme-password-1", now=T0,
             supplier_code="ACME")
    session.commit()
    found = {}
    for name in ("lena", "max", "vera", "acme-qa"):
        user = find_user(session, name)
        assert user is not None
        found[name] = user_principal(session, user)
    return found


def test_a_quality_lead_signs_with_name_time_meaning_and_method(
    session: Session, people: dict[str, Principal]
) -> None:
    signature = sign(session, principal=people["lena"], password="lena-password-1",
                     meaning=CLOSE_CASE, now=LATER)
    assert signature == {"signed_by": "lena", "signed_at": "2026-03-02T12:00:00+00:00",
                         "meaning": CLOSE_CASE, "method": METHOD}
    assert METHOD == "password re-entry"


def test_a_quality_manager_may_sign_too(session: Session, people: dict[str, Principal]) -> None:
    signature = sign(session, principal=people["max"], password="max-password-1",
                     meaning=LIFT_BLACKLIST, now=T0)
    assert signature["signed_by"] == "max"


@pytest.mark.parametrize("password", ["", "not-the-password", "max-password-1", "x" * 5000])
def test_a_wrong_or_empty_password_signs_nothing_and_names_the_password(
    session: Session, people: dict[str, Principal], password: str
) -> None:
    with pytest.raises(BadInput) as refused:
        sign(session, principal=people["lena"], password=password, meaning=CLOSE_CASE, now=T0)
    assert refused.value.field == "password"
    assert not isinstance(refused.value, SignerRefused)


def test_a_viewer_cannot_sign_even_with_the_right_password(
    session: Session, people: dict[str, Principal]
) -> None:
    with pytest.raises(SignerRefused) as refused:
        sign(session, principal=people["vera"], password="vera-password-1",
             meaning=CLOSE_CASE, now=T0)
    assert refused.value.field == "signer"


def test_a_supplier_account_cannot_sign(session: Session, people: dict[str, Principal]) -> None:
    with pytest.raises(SignerRefused):
        sign(session, principal=people["acme-qa"], password="acme-password-1",
             meaning=CLOSE_CASE, now=T0)


def test_a_supplier_link_and_a_principal_without_an_account_cannot_sign(
    session: Session, people: dict[str, Principal]
) -> None:
    acme = get_supplier(session, "ACME")
    link = Principal(name="link:ACME", role="supplier", supplier_id=acme.id,
                     supplier_code="ACME")
    nobody = Principal(name="lena", role="quality_lead")  # no user id: not an account
    for principal in (link, nobody):
        with pytest.raises(SignerRefused):
            sign(session, principal=principal, password="lena-password-1",
                 meaning=CLOSE_CASE, now=T0)


def test_a_disabled_user_cannot_sign_with_an_older_principal(
    session: Session, people: dict[str, Principal]
) -> None:
    disable_user(session, name="lena", now=T0)
    with pytest.raises(SignerRefused):
        sign(session, principal=people["lena"], password="lena-password-1",
             meaning=CLOSE_CASE, now=LATER)


def test_only_known_meanings_are_signed(session: Session, people: dict[str, Principal]) -> None:
    with pytest.raises(BadInput) as refused:
        sign(session, principal=people["lena"], password="lena-password-1",
             meaning="I agree to anything", now=T0)
    assert refused.value.field == "meaning"


def test_meanings_by_step() -> None:
    assert meaning_for("8d", "close") == CLOSE_CASE
    assert meaning_for("8d", "cancel") == meaning_for("pdca", "cancel") == CANCEL_CASE
    assert meaning_for("pdca", "standardize") != CLOSE_CASE
    assert all(meaning_for(lc, t) in MEANINGS for lc, t in
               (("audit", "close"), ("cause_report", "accept"), ("unknown", "finish")))


def test_a_signature_must_match_the_actor_and_the_decision(
    session: Session, people: dict[str, Principal]
) -> None:
    signature = sign(session, principal=people["lena"], password="lena-password-1",
                     meaning=CLOSE_CASE, now=T0)
    assert check_signature(signature, actor="lena", meaning=CLOSE_CASE) == signature
    for actor, meaning in (("max", CLOSE_CASE), ("lena", CANCEL_CASE)):
        with pytest.raises(BadInput) as refused:
            check_signature(signature, actor=actor, meaning=meaning)
        assert refused.value.field == "signature"
    with pytest.raises(BadInput):
        check_signature({**signature, "signed_at": ""}, actor="lena", meaning=CLOSE_CASE)


def _blacklist(session: Session) -> None:
    acme = get_supplier(session, "ACME")
    acme.blacklisted_at, acme.blacklist_reason = T0, "grade E in 2026-02"
    session.add(acme)
    session.commit()


def test_lifting_a_blacklist_keeps_the_signature_with_the_decision(
    session: Session, people: dict[str, Principal]
) -> None:
    _blacklist(session)
    signature = sign(session, principal=people["lena"], password="lena-password-1",
                     meaning=LIFT_BLACKLIST, now=LATER)
    lift_blacklist(session, code="ACME", reason="audit passed, 8D closed", actor="lena",
                   now=LATER, signature=signature)
    session.commit()
    decision = session.exec(select(SupplierDecision)).one()
    assert decision.signature == signature
    assert decision.decision == "blacklist_lifted"
    assert session.exec(select(Supplier).where(Supplier.code == "ACME")).one().blacklisted_at \
        is None


def test_a_signature_for_another_decision_does_not_lift_a_blacklist(
    session: Session, people: dict[str, Principal], db_url: str
) -> None:
    _blacklist(session)
    closing = sign(session, principal=people["lena"], password="lena-password-1",
                   meaning=CLOSE_CASE, now=LATER)
    before = snapshot(db_url)
    with pytest.raises(BadInput) as refused:
        lift_blacklist(session, code="ACME", reason="audit passed", actor="lena", now=LATER,
                       signature=closing)
    session.rollback()
    assert refused.value.field == "signature"
    assert snapshot(db_url) == before


def test_the_cli_lifts_a_blacklist_unsigned(
    session: Session, people: dict[str, Principal]
) -> None:
    # The CLI runs as the operator: no account, no password to re-enter, no signature.
    _blacklist(session)
    lift_blacklist(session, code="ACME", reason="audit passed", actor="operator", now=LATER)
    session.commit()
    assert session.exec(select(SupplierDecision)).one().signature is None
