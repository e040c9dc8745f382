"""The password re-entry of a signed decision is throttled through the API too (issue 14,
point 2): after a few wrong passwords, 429 with Retry-After and the error document, even for
the right one; the decision is not taken."""

from __future__ import annotations

from capaflow.accounts.throttle import throttle_policy
from tests.api.conftest import World

CANCEL = {"trigger": "cancel", "fields": {"reason": "duplicate of another case"}}


def test_guessing_a_signature_password_is_throttled(world: World) -> None:
    path = f"/cases/{world.cases['ACME']}/advance"
    for _ in range(throttle_policy().throttle_after):
        wrong = world.post("lead", path, {**CANCEL, "password": "guess-password-1"})
        assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "password"
    held = world.post("lead", path, {**CANCEL, "password": "lead-password-1"})
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    assert held.json()["error"]["code"] == "too_many_attempts"
    assert held.json()["error"]["field"] == "password"
    assert world.get("lead", f"/cases/{world.cases['ACME']}").json()["state"] != "cancelled"
    # Another account's signature is checked as before.
    other = world.post("manager", f"/cases/{world.cases['BETA']}/advance",
                       {**CANCEL, "password": "mgr-password-1"})
    assert other.status_code == 200, other.text
