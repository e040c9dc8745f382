"""Apprise URLs: checked when they are entered, masked whenever they are shown.

A URL often carries a password or a token; only `mask` output may reach logs and the CLI.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import apprise

from capaflow.errors import BadInput


@lru_cache(maxsize=1024)
def _plugin_url(url: str) -> str | None:
    # Apprise logs a warning for every URL it cannot parse; the caller reports it instead.
    logger = logging.getLogger("apprise")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        plugin = apprise.Apprise.instantiate(url)
    finally:
        logger.setLevel(level)
    if not plugin:
        return None
    masked = str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]
    # Drop the default query options Apprise appends; they say nothing to a reader.
    return masked.split("?", 1)[0].rstrip("/")


def is_valid(url: str) -> bool:
    """True when Apprise knows the scheme and can parse the rest."""
    return _plugin_url(url) is not None


def check_url(field: str, value: str | None) -> str | None:
    """An Apprise URL someone entered (a supplier's or a customer's contact), trimmed; None
    when blank; BadInput naming `field` when Apprise cannot use it."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    # Asking Apprise now refuses a plain e-mail address or a typo at once, instead of a
    # failed notice weeks later. The message shows the URL masked: it may hold a password.
    if len(value) > 1000 or not is_valid(value):
        raise BadInput(
            f"{field}: '{mask(value)}' is not an Apprise URL "
            "(e.g. mailto://user:pass@example.com or json://host/path)",
            field=field,
        )
    return value


def mask(url: str | None) -> str | None:
    if url is None:
        return None
    masked = _plugin_url(url)
    if masked is not None:
        return masked
    scheme, sep, _rest = url.partition("://")
    return f"{scheme}://****" if sep else "****"
