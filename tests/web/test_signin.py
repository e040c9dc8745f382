"""Signing in: signed HTTP-only cookies, CSRF on every form, sessions that end, no open
redirects, and a refused sign-in that says nothing about which half was wrong."""

from __future__ import annotations

from datetime import timedelta

from capaflow.accounts import disable_user
from capaflow.asgi import create_site
from capaflow.calendars import isoformat
from capaflow.config import Settings
from capaflow.models.db import get_engine, session_scope
from capaflow.web.app import COOKIE
from tests.conftest import T0
from tests.web.conftest import PASSWORDS, Site, form_token, sign_in


def test_sign_in_sets_a_signed_http_only_cookie_and_goes_to_the_dashboard(site: Site) -> None:
    client = site.anonymous()
    answer = sign_in(client, "lead", PASSWORDS["lead"])
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_a_supplier_account_lands_on_its_portal(site: Site) -> None:
    answer = sign_in(site.anonymous(), "acme", PASSWORDS["acme"])
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"


def test_wrong_password_and_unknown_name_get_the_same_answer(site: Site) -> None:
    wrong = sign_in(site.anonymous(), "lead", "not-the-password")
    unknown = sign_in(site.anonymous(), "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "name or password is not right" in wrong.text
    assert "name or password is not right" in unknown.text
    assert COOKIE not in wrong.headers.get("set-cookie", "") or "user_id" not in wrong.text


def test_a_form_without_its_token_is_refused_and_signs_nobody_in(site: Site) -> None:
    client = site.anonymous()
    client.get("/login")
    answer = client.post("/login", data={"name": "lead", "password": PASSWORDS["lead"]})
    assert answer.status_code == 403
    assert 'data-field="csrf_token"' in answer.text
    forged = client.post("/login", data={"name": "lead", "password": PASSWORDS["lead"],
                                         "csrf_token": "forged"})
    assert forged.status_code == 403
    assert client.get("/login").status_code == 200  # still the form: not signed in


def test_a_token_from_another_session_does_not_pass(site: Site) -> None:
    attacker = site.anonymous()
    token = form_token(attacker.get("/login").text)
    victim = site.anonymous()
    victim.get("/login")
    answer = victim.post("/login", data={"name": "lead", "password": PASSWORDS["lead"],
                                         "csrf_token": token})
    assert answer.status_code == 403


def test_pages_need_a_session_and_remember_where_you_were_going(site: Site) -> None:
    answer = site.anonymous().get(f"/cases/{site.cases['ACME']}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/cases/{site.cases['ACME']}"


def test_after_sign_in_you_go_where_you_were_going_but_never_off_site(site: Site) -> None:
    inside = sign_in(site.anonymous(), "lead", PASSWORDS["lead"], next_path="/pdca")
    assert inside.headers["location"] == "/pdca"
    for outside in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = sign_in(site.anonymous(), "lead", PASSWORDS["lead"], next_path=outside)
        assert answer.headers["location"] == "/", outside


def test_sign_out_ends_the_session(site: Site) -> None:
    client = site.signed_in("lead")
    # The sign-out button is on every page (base.html); a signed-in /login only redirects.
    answer = site.post_form(client, "/logout", {}, page=f"/cases/{site.cases['ACME']}")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get(f"/cases/{site.cases['ACME']}").status_code == 303


def test_a_disabled_user_is_signed_out_at_once(site: Site) -> None:
    client = site.signed_in("viewer")
    with session_scope(get_engine(site.url)) as session:
        disable_user(session, name="viewer", now=T0)
    assert client.get("/login").status_code == 200  # the form again: the session is gone
    assert sign_in(site.anonymous(), "viewer", PASSWORDS["viewer"]).status_code == 401


def test_a_session_older_than_the_policy_has_ended(site: Site, db_url: str) -> None:
    client = site.signed_in("lead")
    later = Settings(database_url=db_url, now=isoformat(T0 + timedelta(hours=13)),
                     routes="no-routes.toml")
    with client.__class__(create_site(later), follow_redirects=False,
                          cookies=client.cookies) as tomorrow:
        assert tomorrow.get("/login").status_code == 200  # signed out: the form is shown


def test_a_tampered_cookie_is_no_session(site: Site) -> None:
    client = site.signed_in("lead")
    value = client.cookies[COOKIE]
    client.cookies.set(COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert client.get("/login").status_code == 200


def test_sign_out_ends_every_copy_of_the_session(site: Site) -> None:
    browser = site.signed_in("lead")
    stolen = site.anonymous()
    stolen.cookies.set(COOKIE, browser.cookies[COOKIE])
    case_page = f"/cases/{site.cases['ACME']}"
    assert stolen.get(case_page).status_code == 200  # a copy works while the session lives
    site.post_form(browser, "/logout", {}, page=case_page)
    assert stolen.get(case_page).status_code == 303  # and not after its owner signed out
    again = site.signed_in("lead")  # signing in again starts a new session that works
    assert again.get(case_page).status_code == 200
