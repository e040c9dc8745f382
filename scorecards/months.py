"""Months as "YYYY-MM", and where they begin and end on the calendar's wall clock.

A month is the one a quality lead means: March in the site's time zone (`[calendar]
timezone`), so a lot inspected at 23:30 local on 31 March counts for March even where that is
already April in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from capaflow.errors import BadInput

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str, *, field: str = "month") -> tuple[int, int]:
    """(year, month) of a "YYYY-MM" text; anything else is BadInput naming `field`."""
    found = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if found is None or int(found.group(1)) < 1:
        raise BadInput(f"{field}: {text!r} is not a month as YYYY-MM (e.g. 2026-03)", field=field)
    return int(found.group(1)), int(found.group(2))


def shift(month: str, months: int) -> str:
    """The month `months` after `month` (before it when negative)."""
    year, number = parse_month(month)
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


def bounds(month: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant, in UTC: [start, end)."""
    year, number = parse_month(month)
    start = datetime(year, number, 1, tzinfo=zone)
    next_year, next_number = parse_month(shift(month, 1))
    end = datetime(next_year, next_number, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def check_not_future(month: str, now: datetime, zone: ZoneInfo, *, field: str = "month") -> str:
    """`month` normalised, refused when it lies after `now`'s month (nothing to grade yet).

    The current month is allowed: a mid-month run grades what is known so far, and the run on
    the first of the next month recomputes it in full.
    """
    year, number = parse_month(month, field=field)
    normalised = f"{year:04d}-{number:02d}"
    current = month_of(now, zone)
    if normalised > current:
        raise BadInput(
            f"{field}: {normalised} is in the future (now is in {current})", field=field
        )
    return normalised
