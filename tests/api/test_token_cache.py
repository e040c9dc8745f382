"""The principal cache (accounts.tokens): a token resolved once is trusted for a few seconds
without a query, yet a revocation or a disabled user made in this process takes effect at
once, and one made behind its back (another process) within CACHE_SECONDS."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from capaflow.accounts import disable_user, revoke_token
from capaflow.accounts import tokens as token_module
from capaflow.accounts.tokens import token_hash
from capaflow.calendars import isoformat
from capaflow.models import ApiToken
from capaflow.models.db import get_engine, session_scope
from tests.api.conftest import World
from tests.conftest import T0
from tests.helpers import capa


def _token_row(world: World, who: str) -> ApiToken:
    with session_scope(get_engine(world.url)) as session:
        row = session.exec(
            select(ApiToken).where(ApiToken.token_hash == token_hash(world.tokens[who]))
        ).one()
        session.expunge(row)
        return row


def test_a_token_used_a_moment_ago_is_refused_at_once_when_revoked(world: World) -> None:
    assert world.get("lead", "/cases").status_code == 200  # now in the cache
    token_id = _token_row(world, "lead").id
    assert token_id is not None
    with session_scope(get_engine(world.url)) as session:
        revoke_token(session, token_id=token_id, now=T0)
    assert world.get("lead", "/cases").status_code == 401


def test_a_revocation_through_capa_token_revoke_is_seen_at_once(world: World) -> None:
    assert world.get("manager", "/cases").status_code == 200
    token_id = _token_row(world, "manager").id
    revoked = capa("token", "revoke", str(token_id), "--db", world.url, "--now", isoformat(T0))
    assert revoked.exit_code == 0, revoked.stderr
    assert world.get("manager", "/cases").status_code == 401


def test_a_user_disabled_a_moment_after_using_the_api_is_refused_at_once(world: World) -> None:
    assert world.get("manager", "/cases").status_code == 200
    with session_scope(get_engine(world.url)) as session:
        disable_user(session, name="manager", now=T0)
    assert world.get("manager", "/cases").status_code == 401


def test_a_change_that_rolled_back_keeps_the_token_working(world: World) -> None:
    assert world.get("lead", "/cases").status_code == 200
    token_id = _token_row(world, "lead").id
    assert token_id is not None
    with pytest.raises(RuntimeError), session_scope(get_engine(world.url)) as session:
        revoke_token(session, token_id=token_id, now=T0)
        raise RuntimeError("the command failed after the revocation: nothing is written")
    assert world.get("lead", "/cases").status_code == 200


def test_a_revocation_behind_the_caches_back_takes_effect_within_its_lifetime(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As another process would: a plain UPDATE, which this process is not told about.
    clock = [1000.0]
    monkeypatch.setattr(token_module, "monotonic", lambda: clock[0])
    assert world.get("lead", "/cases").status_code == 200
    with get_engine(world.url).begin() as conn:
        conn.execute(text("UPDATE api_tokens SET revoked_at = created_at WHERE token_hash = :h"),
                     {"h": token_hash(world.tokens["lead"])})
    clock[0] += token_module.CACHE_SECONDS / 2
    assert world.get("lead", "/cases").status_code == 200  # the trade-off, bounded...
    clock[0] += token_module.CACHE_SECONDS
    assert world.get("lead", "/cases").status_code == 401  # ...by CACHE_SECONDS


def test_last_use_is_still_recorded(world: World) -> None:
    assert _token_row(world, "viewer").last_used_at is None
    assert world.get("viewer", "/cases").status_code == 200
    used = _token_row(world, "viewer").last_used_at
    assert used is not None and isoformat(used) == isoformat(T0)


def test_an_unknown_token_is_never_cached(world: World) -> None:
    for _ in range(2):
        response = world.client.get("/api/v1/cases", headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401
    assert not [key for key in token_module._cache if key[1] == token_hash("nope")]



def test_a_refused_request_does_not_record_the_tokens_use(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(token_module, "monotonic", lambda: clock[0])
    # The viewer's first request, due a touch, is refused (403): its transaction rolls back
    # with the touch in it, as with everything else a refused request would have written.
    response = world.post("viewer", "/suppliers", {"code": "NEW", "name": "New"})
    assert response.status_code == 403
    assert _token_row(world, "viewer").last_used_at is None
    # The principal is cached all the same, so the use is recorded by the first request that
    # asks the database again, within CACHE_SECONDS: the lag the cache is allowed.
    assert world.get("viewer", f"/cases/{world.cases['ACME']}").status_code == 200
    clock[0] += token_module.CACHE_SECONDS + 1
    assert world.get("viewer", f"/cases/{world.cases['ACME']}").status_code == 200
    assert _token_row(world, "viewer").last_used_at is not None
