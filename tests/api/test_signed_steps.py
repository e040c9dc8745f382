"""Through the API too, a step that ends a case is a signed decision: the token's user
re-enters their password, and the event records who, when and what the signature means."""

from __future__ import annotations

import pytest

from capaflow.accounts.signatures import CANCEL_CASE
from tests.api.conftest import World
from tests.helpers import beside_guesses, snapshot

CANCEL = {"trigger": "cancel", "fields": {"reason": "duplicate of another case"}}


def test_cancelling_without_the_password_is_refused_and_writes_nothing(world: World) -> None:
    before = beside_guesses(snapshot(world.url))
    response = world.post("lead", f"/cases/{world.cases['ACME']}/advance", CANCEL)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "password"
    wrong = world.post("lead", f"/cases/{world.cases['ACME']}/advance",
                       {**CANCEL, "password": "not-my-password"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "password"
    assert beside_guesses(snapshot(world.url)) == before


def test_cancelling_with_the_password_records_the_signature(world: World) -> None:
    response = world.post("lead", f"/cases/{world.cases['ACME']}/advance",
                          {**CANCEL, "password": "lead-password-1"})
    assert response.status_code == 200, response.text
    shown = world.get("lead", f"/cases/{world.cases['ACME']}").json()
    assert shown["state"] == "cancelled"
    signature = shown["events"][-1]["fields"]["signature"]
    assert signature["signed_by"] == "lead" and signature["meaning"] == CANCEL_CASE
    assert signature["method"] == "password re-entry"
    assert "lead-password-1" not in response.text


@pytest.mark.parametrize("who", ["viewer", "ACME"])
def test_who_may_not_sign_cannot_cancel(world: World, who: str) -> None:
    before = snapshot(world.url)
    response = world.post(who, f"/cases/{world.cases['ACME']}/advance",
                          {**CANCEL, "password": "view-password-1"})
    assert response.status_code == 403
    assert snapshot(world.url) == before


def test_a_step_that_does_not_end_the_case_needs_no_password(world: World) -> None:
    response = world.post("lead", f"/cases/{world.cases['ACME']}/advance",
                          {"trigger": "contain", "fields": {"containment": "sorted"}})
    assert response.status_code == 200, response.text
    assert "signature" not in response.json()["event"]["fields"]
