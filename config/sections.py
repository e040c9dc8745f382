"""The pieces every policy section is made of: the base `Section` (unknown keys refused,
frozen), the value types with their checks (durations, spans, counts, names) and `refuse`, the
error in our own words that `policies.refusal` turns into BadInput naming the key path."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from capaflow.calendars import Duration, DurationError, parse_duration
from capaflow.errors import BadInput


class PolicyError(BadInput):
    """A policy value is wrong; the field is the key path in the TOML."""


# --- the pieces: durations, spans, counts, numbers ---------------------------------------------


def refuse(message: str, *, at: str | int | None = None) -> PydanticCustomError:
    """A validation error with our own words; `at` adds one key below the validated value
    (a model's check of two fields names the one that is wrong)."""
    # The message is used as pydantic's template: braces would be read as placeholders.
    template = message.replace("{", "{{").replace("}", "}}")
    return PydanticCustomError("policy", template, {"at": at})


def as_duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise refuse(f"expected a duration such as \"7d\", got {value!r}")
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise refuse(str(exc)) from None


def _elapsed(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    duration = as_duration(value)
    # Reminder and ladder offsets are elapsed time: a reminder "1 day before" is 24 hours
    # before, whatever the calendar says about that day.
    if duration.unit == "min":
        return timedelta(minutes=duration.amount)
    if duration.unit == "h":
        return timedelta(hours=duration.amount)
    if duration.unit == "d":
        return timedelta(days=duration.amount)
    raise refuse("use minutes, hours or days here (\"30min\", \"2h\", \"2d\")")


def _fixed_span(value: object) -> timedelta:
    # Sessions and links expire by the clock, not by the working calendar: hours and days.
    if isinstance(value, timedelta):
        return value
    duration = as_duration(value)
    if duration.unit not in ("h", "d") or duration.amount <= 0:
        raise refuse(f"'{value}' must be a positive span in hours or days "
                      "(e.g. \"12h\", \"14d\")")
    return _elapsed(duration)


def _positive_whole(value: object) -> int:
    # bool is an int to Python; `max_attempts = true` is still a mistake.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise refuse(f"must be a positive whole number, got {value!r}")
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise refuse("expected a name")
    return value.strip()[:100]


def _names(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise refuse("expected a list of names")
    return tuple(value)


DurationText = Annotated[Duration, PlainValidator(as_duration)]
Elapsed = Annotated[timedelta, PlainValidator(_elapsed)]
FixedSpan = Annotated[timedelta, PlainValidator(_fixed_span)]
PositiveWhole = Annotated[int, PlainValidator(_positive_whole)]
# Strict: `inspection_lots = "3"`, `= 2.5` and `= true` are typos, not counts; `ppm = true`
# is not a number either (bool is an int to Python).
Whole = Annotated[int, Field(strict=True)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Flag = Annotated[bool, Field(strict=True)]
Name = Annotated[str, PlainValidator(_name)]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
Names = Annotated[tuple[str, ...], PlainValidator(_names)]


class Section(BaseModel):
    # A misspelt key would otherwise be ignored silently and the default would apply.
    model_config = ConfigDict(extra="forbid", frozen=True)
