"""`capa supplier update` and `capa user password`: master data changed from the CLI, on
record; refusals by the contract (exit code, field named, nothing written)."""

from __future__ import annotations

from sqlmodel import Session, select

from capaflow.accounts.passwords import verify_password
from capaflow.cli.app import app
from capaflow.models import AccountEvent, SupplierDecision, User
from capaflow.models.db import get_engine
from tests.cli.support import add_supplier, ok, refused
from tests.conftest import T0
from tests.helpers import runner, snapshot

HEAD = "json://127.0.0.1:9/acme/head"


def test_supplier_update_changes_the_head_of_quality_on_record(sqlite_url: str) -> None:
    add_supplier(sqlite_url)
    document = ok(sqlite_url, "supplier", "update", "ACME", "--quality-head", HEAD,
                  "--by", "lena")
    assert document["quality_head"] == "json://127.0.0.1:9/acme/head"
    assert document["name"] == "Acme Castings"  # not given: unchanged
    with Session(get_engine(sqlite_url)) as session:
        [decision] = session.exec(select(SupplierDecision)).all()
        assert (decision.decision, decision.actor) == ("contacts_updated", "lena")


def test_supplier_update_refuses_a_plain_address_or_an_unknown_supplier(
    sqlite_url: str,
) -> None:
    add_supplier(sqlite_url)
    refused(sqlite_url, "supplier", "update", "ACME", "--quality-head", "head@acme.com",
            exit_code=2, field="quality_head", says=["quality_head"])
    refused(sqlite_url, "supplier", "update", "ACME", "--name", " ", exit_code=2, field="name")
    refused(sqlite_url, "supplier", "update", "NOPE", "--name", "x", exit_code=3,
            field="supplier")


def test_user_password_resets_from_stdin_on_record(sqlite_url: str) -> None:
    ok(sqlite_url, "user", "add", "lena", "--role", "quality_lead", "--password",
       "old-password-1")
    result = runner.invoke(app, ["user", "password", "lena", "--password-stdin", "--by", "admin",
                                 "--db", sqlite_url, "--now", T0.isoformat()],
                           input="new-password-2\n")
    assert result.exit_code == 0, result.stderr
    with Session(get_engine(sqlite_url)) as session:
        user = session.exec(select(User)).one()
        assert verify_password("new-password-2", user.password_hash)
        [event] = session.exec(select(AccountEvent)).all()
        assert (event.kind, event.actor) == ("password_reset", "admin")


def test_user_password_refuses_a_short_or_missing_password_and_a_stranger(
    sqlite_url: str,
) -> None:
    ok(sqlite_url, "user", "add", "lena", "--role", "quality_lead", "--password",
       "old-password-1")
    # Nothing on the standard input.
    refused(sqlite_url, "user", "password", "lena", "--password-stdin", exit_code=2,
            field="password")
    before = snapshot(sqlite_url)
    for name, given, exit_code in (("nobody", "new-password-2\n", 3), ("lena", "short\n", 2)):
        result = runner.invoke(app, ["user", "password", name, "--password-stdin", "--db",
                                     sqlite_url, "--now", T0.isoformat()], input=given)
        assert result.exit_code == exit_code, result.stderr
    assert snapshot(sqlite_url) == before
