"""Password guessing (issue 14, point 2): a growing wait per account and per address, a
lockout after `lockout_after` misses that only a quality manager lifts, an account event and
a notice for each lockout, and other accounts untouched."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from capaflow.accounts import add_user, authenticate
from capaflow.accounts.signatures import CLOSE_CASE, sign
from capaflow.accounts.throttle import (
    AccountLocked,
    ThrottlePolicy,
    TooManyAttempts,
    throttle_policy,
)
from capaflow.accounts.tokens import user_principal
from capaflow.accounts.users import find_user
from capaflow.errors import BadInput
from capaflow.models import AccountEvent, Notification, PasswordThrottle
from capaflow.models.db import get_engine, session_scope
from tests.cli.support import ok, refused
from tests.conftest import T0

PASSWORDS = {"lena": "lena-password-1", "max": "max-password-1", "otto": "otto-password-1"}
HERE, THERE = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def people(db_url: str, fast_password_hashing: None) -> str:
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="lena", role="quality_lead", password=PASSWORDS["lena"], now=T0)
        add_user(session, name="max", role="quality_manager", password=PASSWORDS["max"], now=T0)
        add_user(session, name="otto", role="quality_lead", password=PASSWORDS["otto"], now=T0)
    return db_url


def _try(url: str, name: str, password: str, now: datetime, address: str | None = HERE) -> str:
    """What one sign-in attempt gets: "in", "wrong", "wait" or "locked"."""
    try:
        with session_scope(get_engine(url)) as session:
            user = authenticate(session, name=name, password=password, now=now,
                                address=address)
    except TooManyAttempts:
        return "wait"
    except AccountLocked:
        return "locked"
    return "in" if user is not None else "wrong"


def test_the_policy_defaults_are_default_tomls() -> None:
    assert throttle_policy() == ThrottlePolicy()
    policy = ThrottlePolicy()
    assert policy.wait(2) is None
    assert [policy.wait(n) for n in (3, 4, 5)] == [timedelta(seconds=s) for s in (1, 2, 4)]
    assert policy.wait(40) == timedelta(seconds=300)


def test_a_guesser_waits_longer_and_longer_then_the_account_locks(people: str) -> None:
    url, policy, now = people, throttle_policy(), T0
    answers = []
    for _ in range(policy.lockout_after):
        answers.append(_try(url, "lena", "guess-password", now))
        # Even the right password is not checked while the account waits.
        if answers[-1] == "wrong" and len(answers) >= policy.throttle_after:
            held = "locked" if len(answers) == policy.lockout_after else "wait"
            assert _try(url, "lena", PASSWORDS["lena"], now, address=THERE) == held
        now += policy.max_delay  # past any wait: the next guess is checked
    assert answers == ["wrong"] * policy.lockout_after
    # Locked: the right password is refused, from anywhere, at any time later.
    assert _try(url, "lena", PASSWORDS["lena"], now + timedelta(days=30), THERE) == "locked"
    # Other accounts sign in as before, from another address.
    assert _try(url, "otto", PASSWORDS["otto"], now, address=THERE) == "in"
    with Session(get_engine(url)) as session:
        events = session.exec(select(AccountEvent)).all()
        assert [(e.user_name, e.kind, e.actor) for e in events] == [("lena", "locked", "system")]
        notice = session.exec(select(Notification)).one()
        assert notice.kind == "account_locked" and notice.audience == ["quality_manager"]
        assert "lena" in notice.subject and PASSWORDS["lena"] not in notice.body

    # Only a quality manager lifts it; a refusal writes nothing.
    refused(url, "user", "unlock", "lena", "--by", "otto", exit_code=2, field="by")
    refused(url, "user", "unlock", "otto", "--by", "max", exit_code=4, field="name")
    refused(url, "user", "unlock", "nobody", "--by", "max", exit_code=3, field="name")
    ok(url, "user", "unlock", "lena", "--by", "max")
    assert _try(url, "lena", PASSWORDS["lena"], now, address=THERE) == "in"
    with Session(get_engine(url)) as session:
        kinds = [(e.kind, e.actor) for e in session.exec(select(AccountEvent))]
        assert kinds == [("locked", "system"), ("unlocked", "max")]


def test_an_address_that_sprays_names_waits_but_others_do_not(people: str) -> None:
    url, policy = people, throttle_policy()
    for n in range(policy.throttle_after):
        assert _try(url, f"nobody{n}", "guess-password", T0) == "wrong"
    # This address waits, whatever account it tries next, even with the right password...
    assert _try(url, "otto", PASSWORDS["otto"], T0) == "wait"
    # ...while the same account from elsewhere is not held up, and the wait ends.
    assert _try(url, "otto", PASSWORDS["otto"], T0, address=THERE) == "in"
    assert _try(url, "otto", PASSWORDS["otto"], T0 + policy.max_delay) == "in"


def test_a_signature_guesser_is_counted_though_the_decision_rolls_back(people: str) -> None:
    url, policy = people, throttle_policy()

    def signing(password: str, now: datetime) -> str:
        try:
            with session_scope(get_engine(url)) as session:
                user = find_user(session, "lena")
                assert user is not None
                sign(session, principal=user_principal(session, user), password=password,
                     meaning=CLOSE_CASE, now=now)
        except TooManyAttempts:
            return "wait"
        except AccountLocked:
            return "locked"
        except BadInput as exc:
            assert exc.field == "password"
            return "wrong"
        return "signed"

    now = T0
    for _ in range(policy.throttle_after):
        assert signing("guess-password", now) == "wrong"
    assert signing(PASSWORDS["lena"], now) == "wait"
    for _ in range(policy.lockout_after - policy.throttle_after):
        now += policy.max_delay
        assert signing("guess-password", now) == "wrong"
    assert signing(PASSWORDS["lena"], now + policy.max_delay) == "locked"
    with Session(get_engine(url)) as session:
        row = session.exec(select(PasswordThrottle)).one()
        assert row.key == "account:lena" and row.failures == policy.lockout_after


def test_the_right_password_starts_the_accounts_count_again(people: str) -> None:
    url, policy = people, throttle_policy()
    now = T0
    for _ in range(3):  # never a lockout for someone who mistypes now and then
        for _ in range(policy.throttle_after - 1):
            assert _try(url, "lena", "typo-password", now, address=None) == "wrong"
        assert _try(url, "lena", PASSWORDS["lena"], now, address=None) == "in"
        now += timedelta(days=1)
