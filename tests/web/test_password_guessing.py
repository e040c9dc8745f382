"""Password guessing on the sign-in page (issue 14, point 2): after a few misses the guesser's
address and the account wait (429 with Retry-After, even for the right password), and other
people, from other addresses, sign in as before."""

from __future__ import annotations

from fastapi.testclient import TestClient

from capaflow.accounts.throttle import throttle_policy
from tests.helpers import beside_guesses, snapshot
from tests.web.conftest import PASSWORDS, Site, sign_in


def _from(site: Site, address: str) -> TestClient:
    client = TestClient(site.app, follow_redirects=False, client=(address, 40000))
    client.__enter__()
    site.clients.append(client)
    return client


def test_a_guesser_is_made_to_wait_and_others_still_sign_in(site: Site) -> None:
    guesser = _from(site, "198.51.100.7")
    for _ in range(throttle_policy().throttle_after):
        answer = sign_in(guesser, "lead", "guess-password-1")
        assert answer.status_code == 401
    before = beside_guesses(snapshot(site.url))
    held = sign_in(guesser, "lead", PASSWORDS["lead"])  # the right one: not even checked
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    assert "too many wrong passwords" in held.text and 'data-field="password"' in held.text
    assert "set-cookie" not in held.headers or "user_id" not in held.text
    assert beside_guesses(snapshot(site.url)) == before
    # The guesser's address waits for any account; another address signs in another account.
    assert sign_in(guesser, "viewer", PASSWORDS["viewer"]).status_code == 429
    assert sign_in(_from(site, "203.0.113.9"), "viewer", PASSWORDS["viewer"]).status_code == 303
