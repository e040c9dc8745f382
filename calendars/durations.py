"""Durations from config ("30min", "24h", "7d", "3bd", "6mo") and the calendar that adds them
to a time.

Time is always an argument here: nothing in this module reads the clock, so a deadline computed
for `--now 2026-03-02T09:00:00+00:00` is the same on every machine and in every test.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from dateutil.relativedelta import relativedelta

DurationUnit = Literal["min", "h", "d", "bd", "mo"]

_UNITS: Final[tuple[str, ...]] = get_args(DurationUnit)
_EXAMPLES: Final = "e.g. '30min', '24h', '7d', '3bd', '6mo'"

# Far beyond any real deadline; the bound exists so a typo like "30000000bd" fails at config
# load instead of spinning the business-day loop, and so results stay inside datetime's range.
MAX_AMOUNT: Final[dict[str, int]] = {
    "min": 6_000_000, "h": 100_000, "d": 10_000, "bd": 10_000, "mo": 1_200}

# [0-9] rather than \d: \d also matches other scripts' digits, which int() would accept
# but nobody means in a config file.
_DURATION_RE: Final = re.compile(r"([0-9]+)([a-z]+)")

# A calendar whose workdays are all holidays for a whole year is a misconfiguration; without
# this bound the business-day loop would never end.
_MAX_CONSECUTIVE_CLOSED_DAYS: Final = 366


class DurationError(ValueError):
    """A duration text or value that cannot be used; the message names the offending text."""


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        # Checked here too, not only in parse_duration, so a Duration built in code is held
        # to the same bounds as one read from config.
        _check_amount(self.amount, self.unit, text=f"{self.amount}{self.unit}")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def _check_amount(amount: object, unit: object, *, text: str) -> None:
    if unit not in _UNITS:
        raise DurationError(
            f"duration {text!r}: unit must be one of {', '.join(_UNITS)} ({_EXAMPLES})"
        )
    # bool is an int subclass; Duration(True, "d") is a bug, not one day.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DurationError(f"duration {text!r}: amount must be a whole number ({_EXAMPLES})")
    if amount < 0:
        raise DurationError(f"duration {text!r}: must not be negative ({_EXAMPLES})")
    limit = MAX_AMOUNT[unit]
    if amount > limit:
        raise DurationError(f"duration {text!r}: must be at most {limit}{unit}")


def parse_duration(text: str) -> Duration:
    """Parse a config duration such as "24h", "7d", "3bd" or "6mo"."""
    if not isinstance(text, str):
        raise DurationError(f"duration {text!r}: must be text ({_EXAMPLES})")
    stripped = text.strip()
    if not stripped:
        raise DurationError(f"duration {text!r}: is empty ({_EXAMPLES})")
    match = _DURATION_RE.fullmatch(stripped)
    if match is None:
        if stripped.startswith("-"):
            reason = "must not be negative"
        elif "." in stripped or "," in stripped:
            reason = "amount must be a whole number"
        else:
            reason = f"expected a whole number followed by one of {', '.join(_UNITS)}"
        raise DurationError(f"duration {text!r}: {reason} ({_EXAMPLES})")
    digits, unit = match.groups()
    if unit not in _UNITS:
        raise DurationError(
            f"duration {text!r}: unit must be one of {', '.join(_UNITS)} ({_EXAMPLES})"
        )
    # Decided on the digit count first: int() refuses very long digit strings with its own
    # message, and any count above every limit is absurd anyway.
    if len(digits.lstrip("0")) > 9:
        raise DurationError(f"duration {text!r}: must be at most {MAX_AMOUNT[unit]}{unit}")
    amount = int(digits)
    _check_amount(amount, unit, text=text)
    return Duration(amount, cast(DurationUnit, unit))


@functools.lru_cache(maxsize=1024)
def _holidays_for(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    # One year per entry and expand=False: the cached object must not grow behind our back
    # when someone asks about a date in another year.
    return holidays.country_holidays(country, subdiv=subdivision, years=year, expand=False)


@dataclass(frozen=True)
class BusinessCalendar:
    """Where and when people work: the zone deadlines are kept in, holidays and workdays."""

    timezone: str = "UTC"
    country: str | None = None
    subdivision: str | None = None
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)

    def __post_init__(self) -> None:
        # Validated at construction so a bad calendar in config fails at load, naming the
        # value, rather than on the first deadline computed hours later.
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(
                f"timezone {self.timezone!r}: not a known IANA time zone (e.g. 'Europe/Berlin')"
            ) from exc
        if self.country is None:
            if self.subdivision is not None:
                raise ValueError(
                    f"subdivision {self.subdivision!r}: needs a country (e.g. country='DE')"
                )
        else:
            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision)
            except NotImplementedError as exc:
                known = holidays.list_supported_countries(include_aliases=False)
                if self.country not in holidays.list_supported_countries():
                    raise ValueError(
                        f"country {self.country!r}: not a holidays country code (e.g. 'DE')"
                    ) from exc
                subdivisions = ", ".join(known.get(self.country, [])) or "none"
                raise ValueError(
                    f"subdivision {self.subdivision!r}: not a subdivision of {self.country} "
                    f"(known: {subdivisions})"
                ) from exc
        workdays = tuple(self.workdays)
        if not workdays or any(
            isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6
            for day in workdays
        ):
            raise ValueError(
                f"workdays {workdays!r}: must be a non-empty set of weekdays 0..6 (Monday=0)"
            )
        # Normalised so equal calendars compare and hash equal, and a list passed in does not
        # leave the frozen dataclass unhashable.
        object.__setattr__(self, "workdays", tuple(sorted(set(workdays))))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_business_day(self, day: date) -> bool:
        """Whether `day` (a date in this calendar's zone) is worked: a workday that is not a
        holiday, or an official make-up working day of the calendar's country."""
        if isinstance(day, datetime):
            # A datetime's date depends on the zone it is read in; guessing would silently
            # shift deadlines by a day, so the caller must pick the local date.
            raise TypeError(
                "day: pass a date in the calendar's zone, e.g. "
                "moment.astimezone(calendar.zone).date(), not a datetime"
            )
        if self.country is None:
            return day.weekday() in self.workdays
        official = _holidays_for(self.country, self.subdivision, day.year)
        if day.weekday() not in self.workdays:
            # A country's official make-up working day on a weekend (China's 调休 Saturdays
            # around the Spring Festival and National Day) is worked, as the holidays
            # package's calendar of that country says.
            return day in official.weekend_workdays
        return day not in official

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The instant `duration` after `start`, as an aware datetime in UTC."""
        if not isinstance(start, datetime) or start.utcoffset() is None:
            raise ValueError(f"start: {start!r} must be a timezone-aware datetime")
        if duration.amount == 0:
            # Returned as is (in UTC), not rebuilt from local wall time: that rebuild would
            # move a start in the repeated hour of a DST fall-back to the other occurrence.
            return start.astimezone(UTC)
        try:
            return self._add_nonzero(start, duration)
        except OverflowError as exc:
            raise ValueError(
                f"start: {start.isoformat()} + {duration} is past the year 9999"
            ) from exc

    def _add_nonzero(self, start: datetime, duration: Duration) -> datetime:
        if duration.unit == "min":
            return start.astimezone(UTC) + timedelta(minutes=duration.amount)
        if duration.unit == "h":
            return start.astimezone(UTC) + timedelta(hours=duration.amount)
        local = start.astimezone(self.zone)
        if duration.unit == "d":
            return _to_utc(local + timedelta(days=duration.amount))
        if duration.unit == "mo":
            if local.year + (local.month - 1 + duration.amount) // 12 > 9999:
                # relativedelta reports this as a bare ValueError; unify with the other units.
                raise OverflowError("year out of range")
            return _to_utc(local + relativedelta(months=duration.amount))
        return _to_utc(
            datetime.combine(
                self._business_days_after(local.date(), duration.amount),
                local.timetz(),
            )
        )

    def _business_days_after(self, day: date, count: int) -> date:
        counted = 0
        closed_in_a_row = 0
        while counted < count:
            day += timedelta(days=1)
            if self.is_business_day(day):
                counted += 1
                closed_in_a_row = 0
            else:
                closed_in_a_row += 1
                if closed_in_a_row > _MAX_CONSECUTIVE_CLOSED_DAYS:
                    raise ValueError(
                        f"calendar {self!r}: no business day in over a year after {day}"
                    )
        return day


def _to_utc(local: datetime) -> datetime:
    # Wall-clock arithmetic can land on a local time that does not exist (spring-forward gap)
    # or exists twice (fall-back). fold=0 makes the choice explicit rather than inherited from
    # the start: a missing time is read with the offset before the change (so 02:30 becomes
    # 03:30 in Berlin), a repeated time is its first occurrence. Returning UTC means the
    # result always names one real instant and round-trips.
    return local.replace(fold=0).astimezone(UTC)
