"""Users and tokens: passwords hashed with scrypt, tokens shown once and stored as SHA-256,
disabled users and wrong passwords refused; `capa user ...` and `capa token ...`."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from capaflow.accounts import authenticate, hash_password, verify_password
from capaflow.api import create_app
from capaflow.calendars import isoformat
from capaflow.cli.app import app
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from tests.conftest import T0
from tests.helpers import capa, capa_json, runner, snapshot

NOW = isoformat(T0)


def test_password_hash_is_salted_scrypt_with_its_parameters() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$32768$8$1$")
    assert verify_password("correct horse", first)
    assert not verify_password("correct hors", first)
    assert not verify_password("correct horse", "scrypt$2$1$1$!!$!!")
    assert not verify_password("correct horse", "md5$whatever")


def test_user_add_list_disable_through_the_cli(sqlite_url: str) -> None:
    added = capa_json("user", "add", "lena", "--role", "quality_lead", "--password",
                      "a-long-password", "--db", sqlite_url, "--now", NOW)
    assert added["role"] == "quality_lead" and "password_hash" not in added
    listed = capa_json("user", "list", "--db", sqlite_url)
    assert [u["name"] for u in listed] == ["lena"]
    disabled = capa_json("user", "disable", "lena", "--db", sqlite_url, "--now", NOW)
    assert disabled["disabled_at"] == NOW
    assert "a-long-password" not in json.dumps(snapshot(sqlite_url))


def test_user_add_prompts_for_the_password_when_not_given(sqlite_url: str) -> None:
    result = runner.invoke(app, ["user", "add", "vic", "--role", "viewer", "--db", sqlite_url,
                                 "--now", NOW], input="prompted-password\nprompted-password\n")
    assert result.exit_code == 0, result.stderr
    with session_scope(get_engine(sqlite_url)) as session:
        assert authenticate(session, name="vic", password="prompted-password", now=T0) is not None


def test_user_add_refuses_a_bad_role_short_password_and_duplicate(sqlite_url: str) -> None:
    base = ("--db", sqlite_url, "--now", NOW, "--json")
    bad_role = capa("user", "add", "x", "--role", "admin", "--password", "long-enough-pw", *base)
    assert bad_role.exit_code == 2
    assert json.loads(bad_role.stdout)["error"]["field"] == "role"
    short = capa("user", "add", "x", "--role", "viewer", "--password", "short", *base)
    assert short.exit_code == 2
    assert json.loads(short.stdout)["error"]["field"] == "password"
    assert capa("user", "add", "x", "--role", "viewer", "--password", "long-enough-pw",
                *base).exit_code == 0
    assert capa("user", "add", "x", "--role", "viewer", "--password", "long-enough-pw",
                *base).exit_code == 4


def test_wrong_password_and_disabled_user_cannot_sign_in(sqlite_url: str) -> None:
    capa_json("user", "add", "lena", "--role", "quality_lead", "--password", "a-long-password",
              "--db", sqlite_url, "--now", NOW)
    with session_scope(get_engine(sqlite_url)) as session:
        assert authenticate(session, name="lena", password="a-long-password", now=T0) is not None
        assert authenticate(session, name="lena", password="wrong-password", now=T0) is None
        assert authenticate(session, name="nobody", password="a-long-password", now=T0) is None
    capa_json("user", "disable", "lena", "--db", sqlite_url, "--now", NOW)
    with session_scope(get_engine(sqlite_url)) as session:
        assert authenticate(session, name="lena", password="a-long-password", now=T0) is None


def test_token_is_printed_once_and_only_its_hash_is_stored(db_url: str) -> None:
    capa_json("user", "add", "lena", "--role", "quality_lead", "--password", "a-long-password",
              "--db", db_url, "--now", NOW)
    created = capa("token", "create", "--user", "lena", "--db", db_url, "--now", NOW)
    assert created.exit_code == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    stored = json.dumps(snapshot(db_url))
    assert token not in stored
    client = TestClient(create_app(Settings(database_url=db_url, now=NOW)))
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    # Nothing shows it again: the user's token list has no way to, the row holds the hash.
    assert token not in capa("user", "list", "--json", "--db", db_url).stdout


def test_supplier_token_and_revocation_through_the_cli(db_url: str) -> None:
    capa("supplier", "add", "ACME", "--name", "Acme", "--db", db_url, "--now", NOW)
    created = capa_json("token", "create", "--supplier", "ACME", "--label", "portal",
                        "--db", db_url, "--now", NOW)
    client = TestClient(create_app(Settings(database_url=db_url, now=NOW)))
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert [s["code"] for s in client.get("/api/v1/suppliers", headers=headers).json()] == [
        "ACME"
    ]
    capa_json("token", "revoke", str(created["id"]), "--db", db_url, "--now", NOW)
    assert client.get("/api/v1/suppliers", headers=headers).status_code == 401


def test_token_create_refuses_disabled_unknown_or_ambiguous_owner(sqlite_url: str) -> None:
    base = ("--db", sqlite_url, "--now", NOW)
    capa_json("user", "add", "lena", "--role", "viewer", "--password", "a-long-password", *base)
    capa_json("user", "disable", "lena", *base)
    before = snapshot(sqlite_url)
    assert capa("token", "create", "--user", "lena", *base).exit_code == 4
    assert capa("token", "create", "--user", "nobody", *base).exit_code == 3
    assert capa("token", "create", *base).exit_code == 2
    assert capa("token", "create", "--user", "lena", "--supplier", "ACME", *base).exit_code == 2
    assert snapshot(sqlite_url) == before


def test_web_refuses_a_database_without_schema() -> None:
    result = capa("web", "--db", "sqlite:///empty.db", "--port", "8999")
    assert result.exit_code == 2
    assert "capa db upgrade" in result.stderr
