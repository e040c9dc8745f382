"""Password hashing under load (issue 14, point 3): however many requests hash at once, a
process computes at most `[security] hash_slots` scrypt hashes at the same time (each holds
~32 MiB); the others wait their turn, and every one is computed."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from capaflow.accounts import passwords
from capaflow.config import load_policies
from capaflow.config.policies import validate_policies

CALLERS = 24


@pytest.fixture
def slots() -> Iterator[int]:
    passwords.set_hash_slots(3)
    try:
        yield 3
    finally:
        passwords.set_hash_slots(passwords.DEFAULT_HASH_SLOTS)


def test_many_concurrent_hashes_never_exceed_the_bound(
    slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = {"active": 0, "most": 0, "done": 0}
    changed = threading.Condition()
    real = hashlib.scrypt

    def counting_scrypt(password: bytes, **kwargs: Any) -> bytes:
        with changed:
            state["active"] += 1
            state["most"] = max(state["most"], state["active"])
            changed.notify_all()
            # Hold on while more callers could come in: unbounded, all CALLERS are inside at
            # once; bounded, nobody else gets in and this gives up waiting (no timing is
            # asserted: the wait only gives an unbounded process every chance to overlap).
            changed.wait_for(lambda: state["active"] >= CALLERS, timeout=0.2)
        try:
            return real(password, **{**kwargs, "n": 2**4})
        finally:
            with changed:
                state["active"] -= 1
                state["done"] += 1

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    start = threading.Barrier(CALLERS)
    hashes: list[str] = []

    def caller(number: int) -> None:
        start.wait()
        stored = passwords.hash_password(f"password-{number}")
        assert passwords.verify_password(f"password-{number}", stored)
        hashes.append(stored)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert state["done"] == 2 * CALLERS and len(hashes) == CALLERS
    assert state["most"] == slots


def test_the_bound_comes_from_the_policies() -> None:
    security = validate_policies(load_policies()).security
    assert security.hash_slots == passwords.DEFAULT_HASH_SLOTS
    with pytest.raises(ValueError):
        passwords.set_hash_slots(0)
