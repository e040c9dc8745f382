"""Changing and resetting a password: the password rules, the current password proving who
asks, every earlier session ended, an account event on record; refused input names its field
and writes nothing (docs/architecture.md, "Master data"). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from capaflow.accounts.passwords import verify_password
from capaflow.accounts.users import (
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    add_user,
    change_password,
    reset_password,
    writer_names,
)
from capaflow.errors import BadInput, NotFound
from capaflow.models import AccountEvent, User
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import beside_guesses, snapshot

OLD = "old-password-1"
NEW = "new-password-2"


def _lena(db_url: str) -> None:
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="lena", role="quality_lead", password=OLD, now=T0)


def test_a_user_changes_their_password_and_their_earlier_sessions_end(db_url: str) -> None:
    _lena(db_url)
    with session_scope(get_engine(db_url)) as session:
        change_password(session, name="lena", current=OLD, new=NEW, repeated=NEW, now=T0)
    with Session(get_engine(db_url)) as session:
        user = session.exec(select(User)).one()
        assert verify_password(NEW, user.password_hash)
        assert not verify_password(OLD, user.password_hash)
        # web.auth compares it on every request: a session started under 0 no longer works.
        assert user.session_generation == 1
        [event] = session.exec(select(AccountEvent)).all()
        assert (event.kind, event.actor, event.user_name) == (PASSWORD_CHANGED, "lena", "lena")


@pytest.mark.parametrize(
    ("current", "new", "repeated", "field"),
    [
        ("wrong-password", NEW, NEW, "current"),
        (OLD, "short", "short", "password"),
        (OLD, NEW, "new-password-3", "repeat"),
        (OLD, OLD, OLD, "password"),
    ],
)
def test_a_refused_change_names_the_field_and_writes_nothing(
    db_url: str, current: str, new: str, repeated: str, field: str,
) -> None:
    _lena(db_url)
    before = snapshot(db_url)
    with pytest.raises(BadInput) as refused, session_scope(get_engine(db_url)) as session:
        change_password(session, name="lena", current=current, new=new, repeated=repeated,
                        now=T0)
    assert refused.value.field == field
    # Nothing written but, for a wrong current password, the miss the throttle counts (as at
    # sign-in): a session left open does not let anyone guess the password behind it.
    after = snapshot(db_url)
    assert beside_guesses(after) == beside_guesses(before)
    counted = [row for row in after["password_throttles"] if "lena" in str(row)]
    assert len(counted) == (1 if field == "current" else 0)


def test_an_administrator_resets_a_password_on_record(db_url: str) -> None:
    _lena(db_url)
    with session_scope(get_engine(db_url)) as session:
        reset_password(session, name="lena", new=NEW, actor="operator", now=T0)
    with Session(get_engine(db_url)) as session:
        user = session.exec(select(User)).one()
        assert verify_password(NEW, user.password_hash) and user.session_generation == 1
        [event] = session.exec(select(AccountEvent)).all()
        assert (event.kind, event.actor) == (PASSWORD_RESET, "operator")
    before = snapshot(db_url)
    with pytest.raises(BadInput), session_scope(get_engine(db_url)) as session:
        reset_password(session, name="lena", new="short", actor="operator", now=T0)
    with pytest.raises(NotFound), session_scope(get_engine(db_url)) as session:
        reset_password(session, name="nobody", new=NEW, actor="operator", now=T0)
    assert snapshot(db_url) == before


def test_the_owners_catalogue_lists_enabled_writers_only(db_url: str) -> None:
    with session_scope(get_engine(db_url)) as session:
        for name, role in (("lena", "quality_lead"), ("marco", "quality_manager"),
                           ("vera", "viewer"), ("sam", "service_agent")):
            add_user(session, name=name, role=role, password=OLD, now=T0)
    with Session(get_engine(db_url)) as session:
        assert writer_names(session) == ["lena", "marco"]
