"""Password hashes: scrypt from the standard library, its parameters and salt in the string.

Why no new dependency (argon2-cffi, bcrypt, passlib): `hashlib.scrypt` is a memory-hard,
modern password hash (RFC 7914) in every CPython built against OpenSSL 1.1+, which Python 3.11
requires anyway. Keeping n, r, p and the salt in the stored string lets us raise the cost later
and still verify every hash stored before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

SCHEME = "scrypt"
# n=2**15, r=8: ~32 MiB and ~50-100 ms per hash here, OWASP's recommended scrypt floor
# (n >= 2**15 with r=8, p=1). maxmem must be raised above OpenSSL's 32 MiB default for it.
N, R, P = 2**15, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32

# At most this many hashes are computed at once in this process; the rest wait their turn.
# Each scrypt run holds ~32 MiB while it runs (N and R above), and a site's threads would
# otherwise all hash at once under a burst of sign-ins or guesses (64 clients grew a web
# process by ~900 MB): load turns into waiting, not memory. Per process, because the memory
# is the process's own; `[security] hash_slots` sets it when the runtime starts
# (docs/architecture.md, "Composition").
DEFAULT_HASH_SLOTS = 2
_slots = threading.BoundedSemaphore(DEFAULT_HASH_SLOTS)


def set_hash_slots(count: int) -> None:
    """How many hashes this process may compute at once (at least 1)."""
    global _slots
    if count < 1:
        raise ValueError("hash_slots: at least 1")
    _slots = threading.BoundedSemaphore(count)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    slots = _slots  # the one taken is the one given back, even if set_hash_slots runs between
    with slots:
        return hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
            maxmem=2 * 128 * r * n + 1024 * 1024,
        )


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$key` (salt and key base64); a fresh random salt each time."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, N, R, P, KEY_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True if `password` matches; False for a wrong password or a malformed stored hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key, validate=True)
        # Bounds on the stored parameters: a tampered row must not make us allocate gigabytes.
        n_, r_, p_ = int(n), int(r), int(p)
        if not (2 <= n_ <= 2**20 and 1 <= r_ <= 32 and 1 <= p_ <= 16 and 16 <= len(expected) <= 64):
            return False
        actual = _derive(password, base64.b64decode(salt, validate=True), n_, r_, p_, len(expected))
    except (ValueError, TypeError):
        return False
    # Constant time: the comparison must not tell an attacker how many bytes matched.
    return hmac.compare_digest(actual, expected)
