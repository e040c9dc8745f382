"""`capa demo seed`: the demo data and the demo accounts `make run` prints, added once."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from capaflow.accounts import authenticate
from capaflow.demo.accounts import DEMO_ACCOUNTS
from capaflow.models.db import get_engine
from tests.conftest import T0
from tests.helpers import capa, capa_json


def test_seed_adds_the_demo_accounts_once_and_they_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert capa("db", "upgrade", "--db", url).exit_code == 0
    first = capa_json("demo", "seed", "--db", url)
    assert first["seeded"] is True
    assert first["accounts"] == [a.name for a in DEMO_ACCOUNTS]
    again = capa_json("demo", "seed", "--db", url)
    assert again == {"seeded": False, "cases": 0, "suppliers": 0, "requests": 0,
                     "checks": {}, "accounts": []}
    with Session(get_engine(url)) as session:
        for account in DEMO_ACCOUNTS:
            user = authenticate(session, name=account.name, password=account.password, now=T0)
            assert user is not None and user.role == account.role
        supplier_user = authenticate(session, name="acme-sqe", password="acme-demo-2026", now=T0)
        assert supplier_user is not None and supplier_user.supplier_id is not None


def test_a_site_with_its_own_people_gets_no_demo_accounts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    assert capa("db", "upgrade", "--db", url).exit_code == 0
    added = capa("user", "add", "boss", "--role", "quality_manager", "--password",
                 "a-long-password", "--db", url)
    assert added.exit_code == 0, added.stderr
    assert capa_json("demo", "seed", "--db", url)["accounts"] == []
