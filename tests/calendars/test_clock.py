from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capaflow.calendars.clock import as_utc, isoformat, parse_instant, resolve_now


def test_z_suffix_is_accepted_as_utc() -> None:
    parsed = parse_instant("2026-03-02T09:00:00Z")
    assert parsed == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert parsed.tzinfo is UTC


def test_offset_time_is_converted_to_utc() -> None:
    parsed = parse_instant("2026-03-02T10:00:00+01:00")
    assert parsed.tzinfo is UTC
    assert (parsed.hour, parsed.minute) == (9, 0)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_instant(" 2026-03-02T09:00:00+00:00\n") == datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02T09:00:00",  # naive: would depend on the host's zone
        "2026-03-02",  # a date is naive too
        "2026-13-01",
        "2026-03-02T25:00:00+00:00",
        "yesterday",
        "",
        "   ",
    ],
)
def test_naive_or_malformed_time_is_rejected_naming_the_field(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_instant(text)
    message = str(raised.value)
    assert message.startswith("now: ")
    assert repr(text) in message
    assert "2026-03-02T09:00:00+00:00" in message


def test_error_names_the_field_it_was_given() -> None:
    with pytest.raises(ValueError, match=r"^due_at: '2026-13-01' is not an ISO-8601"):
        parse_instant("2026-13-01", field="due_at")


def test_resolve_now_uses_the_given_text() -> None:
    assert resolve_now("2026-03-02T09:00:00Z") == datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_resolve_now_rejects_bad_text_naming_now() -> None:
    with pytest.raises(ValueError, match=r"^now: "):
        resolve_now("2026-03-02T09:00:00")


def test_resolve_now_without_text_is_the_real_clock_in_utc() -> None:
    before = datetime.now(UTC)
    now = resolve_now(None)
    after = datetime.now(UTC)
    assert now.tzinfo is UTC
    assert before <= now <= after


def test_as_utc_takes_a_naive_time_to_be_utc() -> None:
    # SQLite hands back the UTC datetimes we stored without their offset.
    naive = datetime(2026, 3, 2, 9)  # noqa: DTZ001 - the naive value is the point
    assert as_utc(naive) == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert as_utc(naive).tzinfo is UTC


def test_as_utc_converts_an_aware_time() -> None:
    berlin_morning = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    converted = as_utc(berlin_morning)
    assert converted.tzinfo is UTC
    assert (converted.hour, converted.minute) == (9, 0)


def test_isoformat_writes_naive_times_as_utc_with_offset() -> None:
    naive = datetime(2026, 3, 2, 9)  # noqa: DTZ001 - as read back from SQLite
    assert isoformat(naive) == "2026-03-02T09:00:00+00:00"


def test_isoformat_writes_aware_times_in_utc() -> None:
    eastern = datetime(2026, 3, 2, 4, tzinfo=timezone(timedelta(hours=-5)))
    assert isoformat(eastern) == "2026-03-02T09:00:00+00:00"


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
        max_value=datetime(2100, 12, 31),  # noqa: DTZ001
        timezones=st.timezones(),
    )
)
@settings(max_examples=200)
def test_isoformat_and_parse_instant_round_trip_the_instant(moment: datetime) -> None:
    # Compared in UTC: Python never calls an ambiguous local time equal to a time in another
    # zone (PEP 495), even when both name the same instant.
    assert parse_instant(isoformat(moment)) == moment.astimezone(UTC)
