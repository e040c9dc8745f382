from __future__ import annotations

import calendar as stdlib_calendar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast, get_args
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capaflow.calendars.durations import (
    MAX_AMOUNT,
    BusinessCalendar,
    Duration,
    DurationError,
    DurationUnit,
    _holidays_for,
    parse_duration,
)

BERLIN = ZoneInfo("Europe/Berlin")
GERMANY = BusinessCalendar(timezone="Europe/Berlin", country="DE")

# Aware starts in any zone, including wall times that do not exist there: `add` must cope with
# whatever aware datetime a caller hands it.
ANY_AWARE_START = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
    max_value=datetime(2100, 12, 31),  # noqa: DTZ001
    timezones=st.timezones(),
)
# Zones with DST at 02:00, a 30-minute DST, a DST at midnight and none at all.
ZONES_WITH_AND_WITHOUT_DST = st.sampled_from(
    ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
     "Asia/Kolkata"]
)


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN, fold=fold)


def business_days_between(calendar: BusinessCalendar, after: date, until: date) -> int:
    """Business days d with after < d <= until."""
    count = 0
    day = after + timedelta(days=1)
    while day <= until:
        count += calendar.is_business_day(day)
        day += timedelta(days=1)
    return count


def wall_time_exists(day: date, wall: time, zone: ZoneInfo) -> bool:
    local = datetime.combine(day, wall, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", Duration(24, "h")),
        ("7d", Duration(7, "d")),
        ("3bd", Duration(3, "bd")),
        ("6mo", Duration(6, "mo")),
        ("0d", Duration(0, "d")),
        ("  3bd\n", Duration(3, "bd")),
        ("100000h", Duration(100_000, "h")),
        ("10000d", Duration(10_000, "d")),
        ("10000bd", Duration(10_000, "bd")),
        ("1200mo", Duration(1_200, "mo")),
    ],
)
def test_parse_duration_reads_amount_and_unit(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "-3d",
        "1.5d",
        "1,5d",
        "7x",
        "7",
        "d",
        "3 d",
        "3D",
        "+3d",
        "1e3h",
        "3dd",
        "٣d",  # an Arabic-Indic digit: int() would take it, a config file should not
        "100001h",
        "10001d",
        "10001bd",
        "1201mo",
        "9" * 50 + "h",
    ],
)
def test_malformed_duration_raises_duration_error_naming_the_text(text: str) -> None:
    with pytest.raises(DurationError) as raised:
        parse_duration(text)
    assert repr(text) in str(raised.value)


def test_unknown_unit_message_lists_the_units() -> None:
    with pytest.raises(DurationError, match=r"'7x'.*h, d, bd, mo"):
        parse_duration("7x")


def test_duration_error_is_a_value_error() -> None:
    assert issubclass(DurationError, ValueError)


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(-1, "d"), (1, "x"), (1_201, "mo"), (True, "d"), (cast(Any, 1.5), "h")],
)
def test_duration_built_in_code_is_held_to_the_same_rules(amount: int, unit: str) -> None:
    with pytest.raises(DurationError):
        Duration(amount, cast(DurationUnit, unit))


@given(
    st.sampled_from(get_args(DurationUnit)).flatmap(
        lambda unit: st.builds(Duration, st.integers(0, MAX_AMOUNT[unit]), st.just(unit))
    )
)
@settings(max_examples=200)
def test_parsing_the_text_of_a_duration_gives_it_back(duration: Duration) -> None:
    assert parse_duration(str(duration)) == duration


# --- calendar construction -------------------------------------------------------------------


def test_unknown_time_zone_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        BusinessCalendar(timezone="Mars/Olympus")


def test_unknown_country_code_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'XX'"):
        BusinessCalendar(country="XX")


def test_unknown_subdivision_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'ZZ'"):
        BusinessCalendar(country="DE", subdivision="ZZ")


def test_subdivision_without_country_is_rejected() -> None:
    with pytest.raises(ValueError, match="'BY'"):
        BusinessCalendar(subdivision="BY")


@pytest.mark.parametrize("workdays", [(), (7,), (-1,)])
def test_workdays_must_be_weekdays(workdays: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="workdays"):
        BusinessCalendar(workdays=workdays)


def test_equal_calendars_are_equal_whatever_the_order_of_workdays() -> None:
    given_as_list = BusinessCalendar(workdays=cast(Any, [4, 3, 2, 1, 0, 0]))
    assert given_as_list == BusinessCalendar()
    assert hash(given_as_list) == hash(BusinessCalendar())


# --- add: input and output -------------------------------------------------------------------


def test_naive_start_is_rejected_naming_start() -> None:
    with pytest.raises(ValueError, match="start"):
        BusinessCalendar().add(datetime(2026, 3, 2, 9), Duration(1, "d"))  # noqa: DTZ001


@pytest.mark.parametrize("unit", get_args(DurationUnit))
def test_result_is_aware_utc(unit: DurationUnit) -> None:
    result = GERMANY.add(berlin(2026, 3, 2, 9), Duration(1, unit))
    assert result.tzinfo is UTC


def test_adding_past_year_9999_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="start"):
        GERMANY.add(datetime(9999, 12, 1, tzinfo=UTC), Duration(2, "mo"))
    with pytest.raises(ValueError, match="start"):
        GERMANY.add(datetime(9999, 12, 31, tzinfo=UTC), Duration(1, "d"))


# --- hours, days, months ---------------------------------------------------------------------


def test_hours_are_exact_elapsed_time_across_dst() -> None:
    start = berlin(2026, 3, 28, 9)
    result = GERMANY.add(start, Duration(24, "h"))
    assert result - start == timedelta(hours=24)
    # Berlin lost an hour overnight, so the wall clock shows one hour more.
    assert result.astimezone(BERLIN) == berlin(2026, 3, 29, 10)


@pytest.mark.parametrize(
    ("start", "expected", "elapsed"),
    [
        (berlin(2026, 3, 28, 9), berlin(2026, 3, 29, 9), timedelta(hours=23)),
        (berlin(2026, 10, 24, 9), berlin(2026, 10, 25, 9), timedelta(hours=25)),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_days_keep_local_wall_time_across_dst_change(
    start: datetime, expected: datetime, elapsed: timedelta
) -> None:
    result = GERMANY.add(start, Duration(1, "d"))
    assert result == expected
    assert result.astimezone(BERLIN).time() == time(9)
    assert result - start == elapsed


@pytest.mark.parametrize(
    ("year", "last_day_of_february"), [(2026, 28), (2028, 29), (2100, 28), (2000, 29)]
)
def test_one_month_after_january_31_is_end_of_february(
    year: int, last_day_of_february: int
) -> None:
    start = datetime(year, 1, 31, 17, 30, tzinfo=UTC)
    assert BusinessCalendar().add(start, Duration(1, "mo")) == datetime(
        year, 2, last_day_of_february, 17, 30, tzinfo=UTC
    )


def test_months_keep_local_wall_time_across_dst_change() -> None:
    result = GERMANY.add(berlin(2026, 2, 15, 9), Duration(2, "mo"))
    assert result == berlin(2026, 4, 15, 9)
    assert result.hour == 7  # CEST in April against CET in February


def test_months_are_counted_in_the_calendar_zone_not_utc() -> None:
    # 00:30 on 1 March in Berlin is still February in UTC; a month later is 1 April in Berlin.
    assert GERMANY.add(berlin(2026, 3, 1, 0, 30), Duration(1, "mo")) == berlin(2026, 4, 1, 0, 30)


def test_wall_time_in_spring_forward_gap_moves_forward_by_the_gap() -> None:
    result = GERMANY.add(berlin(2026, 3, 28, 2, 30), Duration(1, "d"))
    # 02:30 does not exist on 29 March 2026 in Berlin; it is read as 02:30 CET = 03:30 CEST.
    assert result == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert result.astimezone(BERLIN).time() == time(3, 30)


def test_ambiguous_wall_time_resolves_to_its_first_occurrence() -> None:
    result = GERMANY.add(berlin(2026, 10, 24, 2, 30), Duration(1, "d"))
    assert result == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET


def test_ambiguous_result_does_not_depend_on_the_fold_of_the_start() -> None:
    every_day = BusinessCalendar(timezone="Europe/Berlin", workdays=(0, 1, 2, 3, 4, 5, 6))
    # 02:30 exists once on Saturday 24 October 2026, so the fold of the start means nothing
    # there; it must not leak into Sunday, when 02:30 happens twice.
    for fold in (0, 1):
        saturday = berlin(2026, 10, 24, 2, 30, fold=fold)
        assert every_day.add(saturday, Duration(1, "bd")) == datetime(
            2026, 10, 25, 0, 30, tzinfo=UTC
        )
    second_occurrence_a_year_earlier = berlin(2025, 10, 26, 2, 30, fold=1)
    assert every_day.add(second_occurrence_a_year_earlier, Duration(364, "d")) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("unit", get_args(DurationUnit))
def test_zero_of_any_unit_is_the_start_itself(unit: DurationUnit) -> None:
    # The second 02:30 of a fall-back night: rebuilding it from wall time would pick the first.
    start = berlin(2026, 10, 25, 2, 30, fold=1)
    # Compared in UTC: Python never calls an ambiguous local time equal to a time in another
    # zone (PEP 495), even when both name the same instant.
    assert GERMANY.add(start, Duration(0, unit)) == start.astimezone(UTC)
    assert GERMANY.add(start, Duration(0, unit)) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@given(start=ANY_AWARE_START, hours=st.integers(0, 2_000))
@settings(max_examples=200)
def test_hours_property_elapsed_time_is_exact(start: datetime, hours: int) -> None:
    assert GERMANY.add(start, Duration(hours, "h")) - start == timedelta(hours=hours)


@given(zone_name=ZONES_WITH_AND_WITHOUT_DST, start=ANY_AWARE_START, days=st.integers(0, 800))
@settings(max_examples=200)
def test_days_property_same_wall_time_n_local_dates_later(
    zone_name: str, start: datetime, days: int
) -> None:
    zone = ZoneInfo(zone_name)
    local_start = start.astimezone(zone)
    result = BusinessCalendar(timezone=zone_name).add(start, Duration(days, "d"))
    local_result = result.astimezone(zone)
    if days == 0:
        assert result == start.astimezone(UTC)
        return
    target = local_start.date() + timedelta(days=days)
    assert local_result.date() == target
    if wall_time_exists(target, local_start.time(), zone):
        assert local_result.time() == local_start.time()


@given(zone_name=ZONES_WITH_AND_WITHOUT_DST, start=ANY_AWARE_START, months=st.integers(0, 240))
@settings(max_examples=200)
def test_month_add_result_day_is_start_day_capped_at_month_length(
    zone_name: str, start: datetime, months: int
) -> None:
    zone = ZoneInfo(zone_name)
    local_start = start.astimezone(zone)
    local_result = BusinessCalendar(timezone=zone_name).add(start, Duration(months, "mo"))
    local_result = local_result.astimezone(zone)
    year, month_index = divmod(local_start.year * 12 + local_start.month - 1 + months, 12)
    month = month_index + 1
    days_in_month = stdlib_calendar.monthrange(year, month)[1]
    expected = date(year, month, min(local_start.day, days_in_month))
    assert local_result.date() == expected
    if months and wall_time_exists(expected, local_start.time(), zone):
        assert local_result.time() == local_start.time()


# --- business days ---------------------------------------------------------------------------


def test_business_days_skip_the_weekend() -> None:
    friday = berlin(2026, 3, 6, 9)
    assert GERMANY.add(friday, Duration(1, "bd")) == berlin(2026, 3, 9, 9)


def test_business_days_skip_german_public_holidays() -> None:
    # Good Friday 3 April and Easter Monday 6 April 2026 are holidays across Germany.
    maundy_thursday = berlin(2026, 4, 2, 9)
    assert GERMANY.add(maundy_thursday, Duration(1, "bd")) == berlin(2026, 4, 7, 9)


def test_business_days_skip_holidays_of_the_subdivision_only_when_asked() -> None:
    # Epiphany (6 January) is a holiday in Bavaria but not in Germany as a whole.
    monday = berlin(2026, 1, 5, 9)
    bavaria = BusinessCalendar(timezone="Europe/Berlin", country="DE", subdivision="BY")
    assert GERMANY.add(monday, Duration(1, "bd")) == berlin(2026, 1, 6, 9)
    assert bavaria.add(monday, Duration(1, "bd")) == berlin(2026, 1, 7, 9)


def test_calendar_without_country_has_no_holidays() -> None:
    no_holidays = BusinessCalendar(timezone="Europe/Berlin")
    assert no_holidays.is_business_day(date(2026, 12, 25))
    assert not GERMANY.is_business_day(date(2026, 12, 25))


def test_business_days_follow_the_configured_workdays() -> None:
    sunday_to_thursday = BusinessCalendar(timezone="Asia/Jerusalem", workdays=(6, 0, 1, 2, 3))
    thursday = datetime(2026, 3, 5, 9, tzinfo=ZoneInfo("Asia/Jerusalem"))
    assert sunday_to_thursday.add(thursday, Duration(1, "bd")) == datetime(
        2026, 3, 8, 9, tzinfo=ZoneInfo("Asia/Jerusalem")
    )


def test_business_days_keep_local_wall_time_across_dst_change() -> None:
    friday_before_spring_forward = berlin(2026, 3, 27, 9)
    assert GERMANY.add(friday_before_spring_forward, Duration(1, "bd")) == berlin(2026, 3, 30, 9)


def test_business_days_are_counted_from_the_local_date_not_the_utc_date() -> None:
    # Saturday 23:30 UTC is already Sunday in Berlin; one business day later is Monday.
    saturday_night_utc = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)
    assert GERMANY.add(saturday_night_utc, Duration(1, "bd")) == berlin(2026, 3, 9, 0, 30)


def test_zero_business_days_from_a_non_business_day_is_start_unchanged() -> None:
    sunday = berlin(2026, 3, 8, 14, 15)
    assert GERMANY.add(sunday, Duration(0, "bd")) == sunday.astimezone(UTC)


def test_is_business_day_refuses_a_datetime_whose_date_depends_on_the_zone() -> None:
    with pytest.raises(TypeError, match="day"):
        GERMANY.is_business_day(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))


def test_holidays_are_looked_up_once_per_country_and_year() -> None:
    _holidays_for.cache_clear()
    GERMANY.add(berlin(2026, 3, 2, 9), Duration(40, "bd"))
    GERMANY.add(berlin(2026, 3, 2, 9), Duration(40, "bd"))
    info = _holidays_for.cache_info()
    assert info.misses == 1
    assert info.hits > 0


@given(start=ANY_AWARE_START, amount=st.integers(0, 40))
@settings(max_examples=200, deadline=None)  # the first lookup of a year builds its holidays
def test_business_day_add_lands_on_a_business_day_exactly_amount_business_days_later(
    start: datetime, amount: int
) -> None:
    result = GERMANY.add(start, Duration(amount, "bd"))
    assert result.tzinfo is UTC
    if amount == 0:
        assert result == start.astimezone(UTC)
        return
    local_start = start.astimezone(BERLIN)
    local_result = result.astimezone(BERLIN)
    assert local_result.weekday() < 5
    assert GERMANY.is_business_day(local_result.date())
    assert local_result.date() not in _holidays_for("DE", None, local_result.year)
    assert result > start
    assert business_days_between(GERMANY, local_start.date(), local_result.date()) == amount
    # Berlin changes clocks on Sundays only, so the wall time always exists on the result day.
    assert local_result.time() == local_start.time()


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_chinese_site_works_the_official_make_up_saturdays() -> None:
    # 2026: the Spring Festival is off from Sunday 15 to Monday 23 February; Saturdays 14 and
    # 28 February are worked in exchange (调休), as the State Council's notice sets them.
    china = BusinessCalendar(timezone="Asia/Shanghai", country="CN")
    assert china.is_business_day(date(2026, 2, 14)) and china.is_business_day(date(2026, 2, 28))
    assert not china.is_business_day(date(2026, 2, 21))  # a Saturday inside the festival
    assert not china.is_business_day(date(2026, 3, 7))  # an ordinary Saturday
    friday = datetime(2026, 2, 13, 9, tzinfo=SHANGHAI)
    assert china.add(friday, parse_duration("1bd")) == datetime(2026, 2, 14, 9, tzinfo=SHANGHAI)
    assert china.add(friday, parse_duration("2bd")) == datetime(2026, 2, 24, 9, tzinfo=SHANGHAI)


def test_a_calendar_without_make_up_days_keeps_its_weekends() -> None:
    germany = BusinessCalendar(timezone="Europe/Berlin", country="DE")
    without_country = BusinessCalendar(timezone="Asia/Shanghai")
    assert not germany.is_business_day(date(2026, 2, 14))
    assert not without_country.is_business_day(date(2026, 2, 14))
