"""Signed, expiring supplier links: the expiry is inside the signed payload and checked against
the `now` given; a tampered, expired or foreign link, or one for a supplier that is gone, is
refused; `capa supplier link CODE` prints one the web server opens."""

from __future__ import annotations

import json
import string
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import delete

from capaflow.accounts import LinkRefused, open_link, supplier_from_link, supplier_link
from capaflow.accounts.links import fixed_span, link_maker, portal_url
from capaflow.accounts.secrets import site_secret
from capaflow.calendars import isoformat
from capaflow.config import load_policies
from capaflow.errors import BadInput
from capaflow.models import Supplier
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import capa, capa_json, snapshot

SECRET = "a-site-secret-of-at-least-32-characters-x"
DAY = timedelta(days=1)
VALID = timedelta(days=14)


def _token(supplier_id: int = 7, valid_for: timedelta = VALID) -> str:
    return supplier_link(SECRET, supplier_id=supplier_id, now=T0, valid_for=valid_for)


def test_a_link_opens_its_suppliers_portal_until_it_expires() -> None:
    token = _token(7)
    assert open_link(SECRET, token, now=T0) == 7
    assert open_link(SECRET, token, now=T0 + VALID - timedelta(seconds=1)) == 7
    for later in (T0 + VALID, T0 + VALID + DAY):
        with pytest.raises(LinkRefused):
            open_link(SECRET, token, now=later)


def test_the_expiry_is_signed_with_the_link_not_read_from_the_real_clock() -> None:
    # Made "in 2020" and opened "in 2020": valid, although the real clock is years past it.
    old = T0.replace(year=2020)
    token = supplier_link(SECRET, supplier_id=3, now=old, valid_for=DAY)
    assert open_link(SECRET, token, now=old + timedelta(hours=23)) == 3
    with pytest.raises(LinkRefused):
        open_link(SECRET, token, now=T0)


def test_changing_any_single_character_of_a_link_is_refused() -> None:
    token = _token(7)
    alphabet = string.ascii_letters + string.digits + "-_."
    for position, original in enumerate(token):
        # Every other character at this position, including the ones base64 would decode to
        # the same bytes in a token's last character.
        for replacement in alphabet:
            if replacement == original:
                continue
            tampered = token[:position] + replacement + token[position + 1:]
            with pytest.raises(LinkRefused):
                open_link(SECRET, tampered, now=T0)


def test_a_link_of_another_site_or_another_kind_is_refused() -> None:
    with pytest.raises(LinkRefused):
        open_link("another-site-secret-of-32-characters-yyyy", _token(7), now=T0)
    # Signed with the same key but not as a link (another salt: a session, anything else).
    other = URLSafeSerializer(SECRET).dumps({"s": 7, "e": 2_000_000_000})
    with pytest.raises(LinkRefused):
        open_link(SECRET, other, now=T0)
    for junk in ("", "x", "a.b", "." * 5000):
        with pytest.raises(LinkRefused):
            open_link(SECRET, junk, now=T0)


def test_a_validity_must_be_positive() -> None:
    with pytest.raises(BadInput) as refused:
        supplier_link(SECRET, supplier_id=1, now=T0, valid_for=timedelta(0))
    assert refused.value.field == "web.supplier_link_valid"


@pytest.mark.parametrize("value", ["", "soon", "3bd", "6mo", "0h", "-2d"])
def test_sessions_and_links_last_a_fixed_span_of_hours_or_days(value: str) -> None:
    with pytest.raises(BadInput) as refused:
        fixed_span({"web": {"supplier_link_valid": value}}, "supplier_link_valid")
    assert refused.value.field == "web.supplier_link_valid"
    assert fixed_span({"web": {"session_valid": "12h"}}, "session_valid") == timedelta(hours=12)
    assert fixed_span(load_policies(), "supplier_link_valid") == VALID


def test_the_portal_url_starts_with_the_sites_address() -> None:
    link = link_maker(SECRET, base_url="https://capa.example/", now=T0, valid_for=VALID)(7)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://capa.example/portal/enter"
    assert open_link(SECRET, parse_qs(parts.query)["t"][0], now=T0) == 7
    assert portal_url("http://h:1", "abc") == "http://h:1/portal/enter?t=abc"


def test_a_link_for_a_supplier_that_is_gone_is_refused(db_url: str) -> None:
    with session_scope(get_engine(db_url)) as session:
        supplier = add_supplier(session, code="GONE", name="Gone Ltd", contact=None,
                                quality_head=None, executive=None, now=T0)
        assert supplier.id is not None
        token = _token(supplier.id)
        assert supplier_from_link(session, SECRET, token, now=T0).code == "GONE"
        session.execute(delete(Supplier).where(Supplier.id == supplier.id))  # type: ignore[arg-type]
        with pytest.raises(LinkRefused):
            supplier_from_link(session, SECRET, token, now=T0)


def _add_acme(url: str) -> None:
    capa_json("supplier", "add", "ACME", "--name", "ACME Castings", "--db", url,
              "--now", isoformat(T0))


def test_supplier_link_command_prints_a_link_the_site_key_opens(db_url: str) -> None:
    _add_acme(db_url)
    document = capa_json("supplier", "link", "ACME", "--db", db_url, "--now", isoformat(T0))
    assert document["supplier"] == "ACME"
    assert document["valid_until"] == isoformat(T0 + VALID)
    link = urlsplit(document["link"])
    assert f"{link.scheme}://{link.netloc}{link.path}" == "http://127.0.0.1:8000/portal/enter"
    with session_scope(get_engine(db_url)) as session:
        # No CAPA_SECRET_KEY: the key the site made and keeps in the database.
        secret = site_secret(session, configured=None, now=T0)
        supplier = session.get(Supplier, open_link(secret, parse_qs(link.query)["t"][0],
                                                   now=T0 + VALID - DAY))
        assert supplier is not None and supplier.code == "ACME"


def test_supplier_link_command_uses_the_configured_key_address_and_validity(
    db_url: str, tmp_path: Path
) -> None:
    _add_acme(db_url)
    config = tmp_path / "site.toml"
    config.write_text('[web]\nsupplier_link_valid = "2d"\n', encoding="utf-8")
    env = {"CAPA_SECRET_KEY": SECRET, "CAPA_BASE_URL": "https://quality.example.com"}
    result = capa("supplier", "link", "ACME", "--db", db_url, "--now", isoformat(T0),
                  "--config", str(config), env=env)
    assert result.exit_code == 0, result.stderr
    link = result.stdout.split()[0]
    assert link.startswith("https://quality.example.com/portal/enter?t=")
    token = parse_qs(urlsplit(link).query)["t"][0]
    assert open_link(SECRET, token, now=T0 + DAY) >= 1
    with pytest.raises(LinkRefused):
        open_link(SECRET, token, now=T0 + 2 * DAY)


def test_supplier_link_command_refuses_an_unknown_supplier_or_a_bad_validity(
    db_url: str, tmp_path: Path
) -> None:
    _add_acme(db_url)
    before = snapshot(db_url)
    unknown = capa("supplier", "link", "NOPE", "--json", "--db", db_url, "--now", isoformat(T0))
    assert unknown.exit_code == 3
    assert json.loads(unknown.stdout)["error"]["field"] == "supplier"
    config = tmp_path / "bad.toml"
    config.write_text('[web]\nsupplier_link_valid = "3bd"\n', encoding="utf-8")
    bad = capa("supplier", "link", "ACME", "--json", "--db", db_url, "--now", isoformat(T0),
               "--config", str(config))
    assert bad.exit_code == 2
    assert json.loads(bad.stdout)["error"]["field"] == "web.supplier_link_valid"
    assert snapshot(db_url) == before
