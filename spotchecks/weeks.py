"""ISO weeks as the draw names them ("2026-W49"): parsed, and cut in the business calendar's
zone, so a request closed late on a Sunday evening falls in the week its people lived it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from capaflow.errors import BadInput

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str, *, field: str = "week") -> tuple[int, int]:
    """(year, week) of an ISO week "YYYY-Www"; BadInput naming `field` for anything else,
    including a week 53 in a year that has only 52."""
    found = _WEEK.match(text.strip()) if isinstance(text, str) else None
    if found is not None:
        year, week = int(found.group(1)), int(found.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            pass
        else:
            return year, week
    raise BadInput(f"{field}: {text!r} is not an ISO week as YYYY-Www (e.g. 2026-W49)",
                   field=field)


def week_name(year: int, week: int) -> str:
    return f"{year:04d}-W{week:02d}"


def week_bounds(week: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The week's first instant (Monday 00:00 in `zone`) and the next week's, in UTC."""
    year, number = parse_week(week)
    monday = date.fromisocalendar(year, number, 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    following = monday + timedelta(days=7)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def week_of(instant: datetime, zone: ZoneInfo) -> str:
    year, week, _ = instant.astimezone(zone).isocalendar()
    return week_name(year, week)


def previous_week(instant: datetime, zone: ZoneInfo) -> str:
    """The last whole week before `instant`: what the weekly flow draws."""
    return week_of(instant.astimezone(zone) - timedelta(days=7), zone)
