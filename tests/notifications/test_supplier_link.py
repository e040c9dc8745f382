"""A supplier's copy of a notice ends with a fresh link to its portal, made at send time; the
quality team's copy does not carry it. Delivered through Apprise to a real HTTP receiver on
127.0.0.1, and the link that arrives is opened on the site."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from capaflow.accounts.links import open_link, site_link_maker
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings, load_policies
from capaflow.models.db import get_engine, session_scope
from capaflow.notifications.notifier import AppriseNotifier, RecordingNotifier
from capaflow.notifications.routing import Routes
from tests.conftest import T0
from tests.helpers import capa, capa_json
from tests.notifications.conftest import HttpReceiver
from tests.notifications.support import (
    ACME_CONTACT,
    LENA,
    S,
    add_case,
    add_supplier,
    load,
    queue,
    run,
)

SECRET = "the-site-key-of-this-test-at-least-32-chars"
BASE_URL = "https://quality.example.com"
LINK = re.compile(r"Your open requests: (\S+)")


def _settings(db_url: str, now: str = isoformat(T0)) -> Settings:
    return Settings(database_url=db_url, now=now, routes="no-routes.toml", secret_key=SECRET,
                    base_url=BASE_URL)


def _link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, f"no portal link in {text!r}"
    return found.group(1)


def _opens_the_acme_portal(db_url: str, link: str, *, now: str = isoformat(T0)) -> str:
    """Follow the link on the site as the supplier's browser would; the portal page."""
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    with TestClient(create_site(_settings(db_url, now)), follow_redirects=False) as browser:
        entered = browser.get(f"{parts.path}?{parts.query}")
        assert entered.status_code == 303 and entered.headers["location"] == "/portal"
        portal = browser.get("/portal")
        assert portal.status_code == 200
        text: str = portal.text
        return text


def test_the_suppliers_copy_carries_a_working_portal_link_the_teams_does_not(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    contact = http_receiver.url("acme/contact")
    case_id = add_case(db_url, supplier_id=add_supplier(db_url, contact_url=contact))
    queue(db_url, case_id=case_id, audience=["owner", "supplier_contact"],
          subject="containment due")
    routes_people = {"lena": (http_receiver.url("people/lena"),)}
    with session_scope(get_engine(db_url)) as session:
        link_for = site_link_maker(session, settings=_settings(db_url),
                                   policies=load_policies(), now=T0 + S)
    report = run(db_url, AppriseNotifier(throttle=False), now=T0 + S,
                 routes=Routes(people=routes_people, source="test"), link_for=link_for)
    assert report.sent == 1
    by_path = {p.path: p.body["message"] for p in http_receiver.posts}
    assert set(by_path) == {"/acme/contact", "/people/lena"}
    assert "Your open requests" not in by_path["/people/lena"]
    link = _link_in(by_path["/acme/contact"])
    assert link.startswith(f"{BASE_URL}/portal/enter?t=")
    assert by_path["/acme/contact"].startswith("body of notice")
    portal = _opens_the_acme_portal(db_url, link)
    assert f'href="/portal/cases/{case_id}"' in portal


def test_the_link_is_made_when_sent_so_a_late_retry_carries_a_fresh_one(db_url: str) -> None:
    case_id = add_case(db_url, supplier_id=add_supplier(db_url))
    notice_id = queue(db_url, case_id=case_id, audience=["owner", "supplier_contact"])
    notifier = RecordingNotifier(failing={ACME_CONTACT})
    valid = timedelta(days=14)
    first_try = T0 + S
    with session_scope(get_engine(db_url)) as session:
        link_for = site_link_maker(session, settings=_settings(db_url),
                                   policies=load_policies(), now=first_try)
    assert run(db_url, notifier, now=first_try, link_for=link_for).retried == 1
    # The team's copy went once, without the link; the supplier's failed.
    team, supplier_copy = notifier.sent
    assert team.targets == (LENA,) and "Your open requests" not in team.body
    assert supplier_copy.targets == (ACME_CONTACT,)
    assert load(db_url, notice_id).extra["delivered"] == [LENA]

    retry_at = first_try + valid + timedelta(days=1)  # the first link has expired by now
    notifier.failing = ()
    with session_scope(get_engine(db_url)) as session:
        fresh = site_link_maker(session, settings=_settings(db_url),
                                policies=load_policies(), now=retry_at)
    assert run(db_url, notifier, now=retry_at, link_for=fresh).sent == 1
    retried = notifier.sent[-1]
    assert retried.targets == (ACME_CONTACT,)  # lena is not sent a second copy
    token = urlsplit(_link_in(retried.body)).query.removeprefix("t=")
    assert open_link(SECRET, token, now=retry_at + valid - S) >= 1
    old = urlsplit(_link_in(supplier_copy.body)).query.removeprefix("t=")
    assert old != token


def test_without_a_link_maker_a_notice_goes_in_one_send_as_before(db_url: str) -> None:
    case_id = add_case(db_url, supplier_id=add_supplier(db_url))
    queue(db_url, case_id=case_id, audience=["owner", "supplier_contact"])
    notifier = RecordingNotifier()
    assert run(db_url, notifier, now=T0 + S).sent == 1
    [sent] = notifier.sent
    assert sent.targets == (LENA, ACME_CONTACT) and "Your open requests" not in sent.body


def test_notify_dispatch_sends_the_supplier_a_link_its_portal_opens(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    now = isoformat(T0)
    capa_json("supplier", "add", "ACME", "--name", "Acme Castings", "--contact",
              http_receiver.url("acme/contact"), "--db", db_url, "--now", now)
    opened = capa_json("case", "open", "--title", "Cracked housing", "--supplier", "ACME",
                       "--owner", "lena", "--db", db_url, "--now", now)
    routes = tmp_path / "routes.toml"
    routes.write_text(f'[people]\nlena = ["{http_receiver.url("people/lena")}"]\n')
    env = {"CAPA_SECRET_KEY": SECRET, "CAPA_BASE_URL": BASE_URL}
    result = capa("notify", "dispatch", "--json", "--routes", str(routes), "--db", db_url,
                  "--now", now, env=env)
    assert result.exit_code == 0, result.stderr
    by_path = {p.path: p.body["message"] for p in http_receiver.posts}
    assert "Your open requests" not in by_path["/people/lena"]
    portal = _opens_the_acme_portal(db_url, _link_in(by_path["/acme/contact"]),
                                    now=isoformat(T0 + timedelta(days=13)))
    assert f'href="/portal/cases/{opened["case"]["id"]}"' in portal
