"""The deadline policies in force: `[calendar]` and `[deadlines]` of the merged config, checked.

A bad value in a site's override file is reported with its key path
(`deadlines.8d.containment.due: ...`) before any command touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calendars import BusinessCalendar, Duration, DurationError, parse_duration
from errors import BadInput
from statemachines import LIFECYCLES

SEVERITIES = ("minor", "major", "critical")
COMPLEXITIES = ("general", "complex")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The pseudo-step that starts the clocks of a new case.
OPEN = "open"


class PolicyError(BadInput):
    """A policy value is wrong; the field is the key path in the TOML."""


@dataclass(frozen=True)
class Milestone:
    lifecycle: str
    key: str
    title: str
    starts_on: tuple[str, ...]
    met_by: tuple[str, ...]
    due: dict[str, Duration]  # "default", a severity, a complexity, or "severity+complexity"
    every: Duration | None

    def due_for(self, severity: str, complexity: str) -> Duration:
        for key in (f"{severity}+{complexity}", severity, complexity, "default"):
            if key in self.due:
                return self.due[key]
        # load_policy refuses a due table without a default, so only a bug ends here.
        raise PolicyError(
            f"deadlines.{self.lifecycle}.{self.key}.due has no default",
            field=f"deadlines.{self.lifecycle}.{self.key}.due",
        )


@dataclass(frozen=True)
class DeadlinePolicy:
    calendar: BusinessCalendar
    milestones: dict[str, tuple[Milestone, ...]]  # by lifecycle

    def started_by(self, lifecycle: str, step: str) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones.get(lifecycle, ()) if step in m.starts_on)


def _duration(path: str, value: Any) -> Duration:
    if not isinstance(value, str):
        raise PolicyError(f"{path}: expected a duration such as \"7d\", got {value!r}", field=path)
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise PolicyError(f"{path}: {exc}", field=path) from exc


def _due_table(path: str, value: Any) -> dict[str, Duration]:
    if isinstance(value, str):
        return {"default": _duration(path, value)}
    if not isinstance(value, dict):
        raise PolicyError(f"{path}: expected a duration or a table of durations", field=path)
    allowed = {"default", *SEVERITIES, *COMPLEXITIES}
    allowed |= {f"{s}+{c}" for s in SEVERITIES for c in COMPLEXITIES}
    table: dict[str, Duration] = {}
    for key, item in value.items():
        if key not in allowed:
            raise PolicyError(
                f"{path}.{key}: not a severity, complexity or 'severity+complexity'",
                field=f"{path}.{key}",
            )
        table[key] = _duration(f"{path}.{key}", item)
    if "default" not in table:
        raise PolicyError(f"{path}: needs a 'default' duration", field=f"{path}.default")
    return table


def _steps(path: str, value: Any, lifecycle: str, *, allow_open: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{path}: expected a list of step names", field=path)
    known = set(LIFECYCLES[lifecycle].triggers) | ({OPEN} if allow_open else set())
    for step in value:
        if step not in known:
            raise PolicyError(
                f"{path}: '{step}' is not a step of {lifecycle} ({', '.join(sorted(known))})",
                field=path,
            )
    return tuple(value)


def _calendar(section: Any) -> BusinessCalendar:
    if not isinstance(section, dict):
        raise PolicyError("calendar: expected a table", field="calendar")
    workdays = section.get("workdays", list(_WEEKDAYS[:5]))
    if not isinstance(workdays, list) or any(d not in _WEEKDAYS for d in workdays):
        raise PolicyError(
            f"calendar.workdays: expected day names from {', '.join(_WEEKDAYS)}",
            field="calendar.workdays",
        )
    try:
        return BusinessCalendar(
            timezone=str(section.get("timezone", "UTC")),
            country=str(section.get("holidays_country") or "") or None,
            subdivision=str(section.get("holidays_subdivision") or "") or None,
            workdays=tuple(_WEEKDAYS.index(d) for d in workdays),
        )
    except ValueError as exc:
        raise PolicyError(f"calendar: {exc}", field="calendar") from exc


def load_policy(policies: dict[str, Any]) -> DeadlinePolicy:
    calendar = _calendar(policies.get("calendar", {}))
    milestones: dict[str, tuple[Milestone, ...]] = {}
    for lifecycle, table in policies.get("deadlines", {}).items():
        if lifecycle not in LIFECYCLES:
            raise PolicyError(
                f"deadlines.{lifecycle}: not a lifecycle ({', '.join(LIFECYCLES)})",
                field=f"deadlines.{lifecycle}",
            )
        found = []
        for key, spec in table.items():
            path = f"deadlines.{lifecycle}.{key}"
            if not isinstance(spec, dict):
                raise PolicyError(f"{path}: expected a table", field=path)
            every = spec.get("every")
            found.append(
                Milestone(
                    lifecycle=lifecycle,
                    key=key,
                    title=str(spec.get("title", key.replace("_", " "))),
                    starts_on=_steps(
                        f"{path}.starts_on", spec.get("starts_on", []), lifecycle, allow_open=True
                    ),
                    met_by=_steps(
                        f"{path}.met_by", spec.get("met_by", []), lifecycle, allow_open=False
                    ),
                    due=_due_table(f"{path}.due", spec.get("due")),
                    every=_duration(f"{path}.every", every) if every is not None else None,
                )
            )
        milestones[lifecycle] = tuple(found)
    return DeadlinePolicy(calendar=calendar, milestones=milestones)
