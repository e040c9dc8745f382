"""Working time: the clock of a service level, counted only while the desk serves.

A tier's SLA runs on one of these (docs/architecture.md, "Service desk"): around the clock
(24×7), or during business hours on the business days of a `BusinessCalendar` (its zone,
workdays, holidays and make-up days). Two operations, each the inverse of the other:

- `elapsed(a, b)`: how much working time lies between two instants;
- `add(start, work)`: the earliest instant at which `work` of working time has passed.

`elapsed(start, add(start, w)) == w` for every start and every w (the tests check it with
hypothesis), which is what lets a clock on hold be given its held time back exactly.
Nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from capaflow.calendars.durations import BusinessCalendar, _to_utc

# Working time is counted day by day; a span longer than this many days of calendar is a
# misconfiguration or an attack, not a service level.
_MAX_DAYS = 20_000
_ZERO = timedelta(0)


@dataclass(frozen=True)
class WorkingHours:
    """`around_the_clock`, or `opens`..`closes` (local wall time) on the calendar's business
    days. `closes` must be after `opens`: a desk serving past midnight is served 24×7 here."""

    calendar: BusinessCalendar
    around_the_clock: bool = False
    opens: time = time(8, 0)
    closes: time = time(18, 0)

    def __post_init__(self) -> None:
        if not self.around_the_clock and self.closes <= self.opens:
            raise ValueError(
                f"hours: closes {self.closes:%H:%M} must be after opens {self.opens:%H:%M}"
            )

    @property
    def day_length(self) -> timedelta:
        """The working time of one business day (24 h around the clock)."""
        if self.around_the_clock:
            return timedelta(hours=24)
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def _open_intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals (UTC) from the local day of `start` on, in order."""
        day = start.astimezone(self.calendar.zone).date()
        for _ in range(_MAX_DAYS):
            if self.calendar.is_business_day(day):
                zone = self.calendar.zone
                yield (
                    _to_utc(datetime.combine(day, self.opens, tzinfo=zone)),
                    _to_utc(datetime.combine(day, self.closes, tzinfo=zone)),
                )
            day += timedelta(days=1)
        raise ValueError(f"hours: more than {_MAX_DAYS} days of calendar counted from {start}")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two aware instants; zero when `end` is not after `start`."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return _ZERO
        if self.around_the_clock:
            return end - start
        total = _ZERO
        for opens, closes in self._open_intervals(start):
            if opens >= end:
                break
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += hi - lo
        return total

    def add(self, start: datetime, work: timedelta) -> datetime:
        """The earliest instant when `work` of working time has passed since `start`.

        Zero work is `start` itself; otherwise the answer always lies inside working hours
        (at the latest at a closing time), never in the night after them.
        """
        if start.utcoffset() is None:
            raise ValueError(f"start: {start!r} must be a timezone-aware datetime")
        if work < _ZERO:
            raise ValueError(f"work: {work} must not be negative")
        start = start.astimezone(UTC)
        if work == _ZERO:
            return start
        if self.around_the_clock:
            return start + work
        left = work
        for opens, closes in self._open_intervals(start):
            lo = max(opens, start)
            if closes <= lo:
                continue
            if closes - lo >= left:
                return lo + left
            left -= closes - lo
        raise AssertionError("unreachable: _open_intervals raises before it ends")
