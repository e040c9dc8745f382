"""Durations, business calendars and the clock: when deadlines fall, with time as an argument."""

from capaflow.calendars.clock import as_utc, isoformat, parse_instant, readable, resolve_now
from capaflow.calendars.durations import BusinessCalendar, Duration, DurationError, parse_duration

__all__ = [
    "BusinessCalendar",
    "Duration",
    "DurationError",
    "as_utc",
    "isoformat",
    "parse_duration",
    "parse_instant",
    "readable",
    "resolve_now",
]
