"""Reading instants from the user (`--now`, `CAPA_NOW`) and writing them back out.

Every time the program works with is aware and, once read, in UTC; local zones only matter to
the business calendar when it adds durations.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Final

_EXAMPLE: Final = "2026-03-02T09:00:00+00:00"
# The instants capaflow accepts from a user, in UTC. Python's datetime ends at the years 1 and
# 9999, so a time near either end overflows when it is moved to UTC or when a deadline, a
# reminder ladder or a report window is added to it; a quality record outside these years is a
# typing error, refused as bad input naming its field (docs/architecture.md, "Exit codes").
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2999


def parse_instant(text: str, *, field: str = "now") -> datetime:
    """Parse an ISO-8601 time with offset ('Z' allowed) into an aware datetime in UTC."""
    problem = f"{field}: {text!r} is not an ISO-8601 time with offset (e.g. {_EXAMPLE})"
    if not isinstance(text, str):
        raise ValueError(problem)
    try:
        # Surrounding whitespace is dropped because values arrive from env vars and files,
        # where a trailing newline is easy to leave and invisible.
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(problem) from None
    if parsed.utcoffset() is None:
        # A time without offset would be read in whatever zone the machine happens to be in,
        # so the same command would give different deadlines on different hosts.
        raise ValueError(problem)
    try:
        in_utc = parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first datetime
        in_utc = None
    if in_utc is None or not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
        raise ValueError(
            f"{field}: {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR} (UTC)"
        )
    return in_utc


def resolve_now(text: str | None) -> datetime:
    """The instant commands treat as "now": the given `--now` text, else the real clock."""
    if text is not None:
        return parse_instant(text, field="now")
    # The ONLY place in capaflow that reads the real clock. Everything else receives `now` as
    # an argument, which is what makes `--now` / CAPA_NOW reproducible and tests deterministic.
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """`value` in UTC; a naive value is taken to already be UTC."""
    if value.utcoffset() is None:
        # SQLite stores no offset and hands our UTC datetimes back naive.
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def isoformat(value: datetime) -> str:
    """ISO-8601 with offset, always in UTC so equal instants print identically."""
    return as_utc(value).isoformat()


def readable(value: datetime | None, zone: tzinfo | None = None) -> str:
    """A time for people: to the minute, on the site's wall clock (`[calendar] timezone`,
    given as `zone`) and named by its zone's abbreviation: "2026-03-02 10:00 CET"; in UTC
    without a zone ("2026-03-02 09:00 UTC"); "" for none.

    Pages, tables, notices and reports use this; JSON keeps full ISO-8601 in UTC
    (`isoformat`), the contract scripts read.
    """
    if value is None:
        return ""
    if zone is None:
        return isoformat(value)[:16].replace("T", " ") + " UTC"
    local = as_utc(value).astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or zone}"
