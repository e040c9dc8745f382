"""Working time on a tier's hours: counted only while the desk serves, across nights,
weekends and holidays, and `add` the exact inverse of `elapsed` (docs/architecture.md,
"Service desk")."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capaflow.calendars import BusinessCalendar
from capaflow.calendars.hours import WorkingHours

BUSINESS = WorkingHours(calendar=BusinessCalendar(), opens=time(8), closes=time(18))
AROUND = WorkingHours(calendar=BusinessCalendar(), around_the_clock=True)
# Berlin's hours, German holidays: 2026-12-25 and 26 are holidays, the 24th is worked.
BERLIN = WorkingHours(calendar=BusinessCalendar(timezone="Europe/Berlin", country="DE"),
                      opens=time(9), closes=time(17))
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_business_hours_skip_the_night() -> None:
    # Monday 16:00 + 4 working hours: 2 on Monday, 2 from Tuesday 08:00.
    assert BUSINESS.add(MONDAY.replace(hour=16), 4 * H) == MONDAY.replace(day=8, hour=10)


def test_business_hours_skip_the_weekend() -> None:
    friday = datetime(2026, 12, 11, 17, 0, tzinfo=UTC)
    assert BUSINESS.add(friday, 2 * H) == datetime(2026, 12, 14, 9, 0, tzinfo=UTC)


def test_a_request_taken_in_at_night_starts_counting_at_opening() -> None:
    night = MONDAY.replace(hour=22)
    assert BUSINESS.add(night, 30 * timedelta(minutes=1)) == MONDAY.replace(day=8, hour=8,
                                                                            minute=30)
    assert BUSINESS.elapsed(night, MONDAY.replace(day=8, hour=8)) == timedelta(0)


def test_holidays_are_not_working_time() -> None:
    # Wednesday 23 December 16:00 Berlin (15:00 UTC): 1 working hour that day, 8 on the 24th
    # (09:00-17:00); the 25th and 26th are holidays, the 27th a Sunday.
    start = datetime(2026, 12, 23, 15, 0, tzinfo=UTC)
    assert BERLIN.add(start, 8 * H) == datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
    assert BERLIN.add(start, 9 * H) == datetime(2026, 12, 24, 16, 0, tzinfo=UTC)
    # The 10th hour: Monday the 28th, 09:00-10:00 Berlin.
    assert BERLIN.add(start, 10 * H) == datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


def test_around_the_clock_counts_every_hour() -> None:
    assert AROUND.add(MONDAY.replace(hour=23), 4 * H) == MONDAY.replace(day=8, hour=3)
    assert AROUND.elapsed(MONDAY, MONDAY + 50 * H) == 50 * H


def test_a_business_day_of_hours_is_the_opening_span() -> None:
    assert BUSINESS.day_length == 10 * H
    assert AROUND.day_length == 24 * H


def test_hours_that_close_before_they_open_are_refused() -> None:
    with pytest.raises(ValueError, match="closes 08:00 must be after opens 18:00"):
        WorkingHours(calendar=BusinessCalendar(), opens=time(18), closes=time(8))


def test_negative_work_is_refused() -> None:
    with pytest.raises(ValueError, match="work"):
        BUSINESS.add(MONDAY, -H)


# hypothesis wants naive bounds and adds the zone itself.
instants = st.datetimes(min_value=datetime(2026, 1, 1),  # noqa: DTZ001
                        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
                        timezones=st.just(UTC))
work = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(start=instants, amount=work)
def test_elapsed_undoes_add(start: datetime, amount: timedelta) -> None:
    for hours in (BUSINESS, BERLIN, AROUND):
        end = hours.add(start, amount)
        assert end >= start
        assert hours.elapsed(start, end) == amount
        if amount:
            # The earliest such instant: a minute before, less work had passed.
            assert hours.elapsed(start, end - timedelta(minutes=1)) < amount


@settings(max_examples=100, deadline=None)
@given(a=instants, b=instants, c=instants)
def test_elapsed_adds_up_over_consecutive_spans(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    for hours in (BUSINESS, BERLIN):
        assert hours.elapsed(a, c) == hours.elapsed(a, b) + hours.elapsed(b, c)
