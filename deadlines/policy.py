"""The deadline policies in force: `[calendar]` and `[deadlines]` of the merged config, checked.

A bad value in a site's override file is reported with its key path
(`deadlines.8d.containment.due: ...`) before any command touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from capaflow.calendars import BusinessCalendar, Duration, DurationError, parse_duration
from capaflow.errors import BadInput
from capaflow.notifications.routing import OWNER, QUALITY_LEAD, QUALITY_MANAGER, SUPPLIER_ROLES
from capaflow.statemachines import LIFECYCLES

SEVERITIES = ("minor", "major", "critical")
COMPLEXITIES = ("general", "complex")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The pseudo-step that starts the clocks of a new case.
OPEN = "open"
KINDS = ("obligation", "review", "window")
# The roles a notice can go to: ours, and the supplier's (routing knows where each is found).
ROLES = (OWNER, QUALITY_LEAD, QUALITY_MANAGER, *SUPPLIER_ROLES)


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
    kind: str = "obligation"

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
class ReminderRule:
    min_span: timedelta
    before: timedelta


@dataclass(frozen=True)
class LadderStep:
    level: int
    after: timedelta  # past the due time
    notify: tuple[str, ...]


@dataclass(frozen=True)
class DeadlinePolicy:
    calendar: BusinessCalendar
    milestones: dict[str, tuple[Milestone, ...]]  # by lifecycle
    reminders: tuple[ReminderRule, ...] = ()
    reminder_audience: tuple[str, ...] = ("owner",)
    ladder: tuple[LadderStep, ...] = ()
    review_audience: tuple[str, ...] = ("owner",)

    def started_by(self, lifecycle: str, step: str) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones.get(lifecycle, ()) if step in m.starts_on)

    def reminder_at(self, started_at: datetime, due_at: datetime) -> datetime | None:
        """When to remind before an obligation; None when that moment is not after its start."""
        span = due_at - started_at
        for rule in self.reminders:
            if span >= rule.min_span:
                moment = due_at - rule.before
                return moment if moment > started_at else None
        return None

    def first_action_at(self, kind: str, started_at: datetime, due_at: datetime) -> datetime:
        """The first moment the sweep has something to do for a new deadline."""
        if kind == "obligation":
            return self.reminder_at(started_at, due_at) or due_at
        return due_at


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


def _elapsed(path: str, value: Any) -> timedelta:
    duration = _duration(path, value)
    # Reminder and ladder offsets are elapsed time: a reminder "1 day before" is 24 hours
    # before, whatever the calendar says about that day.
    if duration.unit == "h":
        return timedelta(hours=duration.amount)
    if duration.unit == "d":
        return timedelta(days=duration.amount)
    raise PolicyError(f"{path}: use hours or days here (\"2h\", \"2d\")", field=path)


def _roles(path: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{path}: expected a list of roles", field=path)
    for role in value:
        if role not in ROLES:
            raise PolicyError(
                f"{path}: '{role}' is not a role ({', '.join(ROLES)})", field=path
            )
    return tuple(value)


def _table(path: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(f"{path}: expected a table", field=path)
    return value


def _reminders(section: Any) -> tuple[tuple[ReminderRule, ...], tuple[str, ...]]:
    table = _table("reminders", section)
    rules = table.get("rules", [])
    if not isinstance(rules, list):
        raise PolicyError("reminders.rules: expected a list of tables", field="reminders.rules")
    parsed = []
    for n, rule in enumerate(rules):
        path = f"reminders.rules[{n}]"
        rule = _table(path, rule)
        parsed.append(ReminderRule(
            min_span=_elapsed(f"{path}.min_span", rule.get("min_span", "0h")),
            before=_elapsed(f"{path}.before", rule.get("before")),
        ))
    # Longest spans first, so "the first rule that fits" means the most specific one.
    parsed.sort(key=lambda r: r.min_span, reverse=True)
    return tuple(parsed), _roles("reminders.notify", table.get("notify", ["owner"]))


def _ladder(section: Any) -> tuple[LadderStep, ...]:
    table = _table("escalation", section)
    steps = table.get("ladder", [])
    if not isinstance(steps, list):
        raise PolicyError("escalation.ladder: expected a list", field="escalation.ladder")
    parsed = []
    for n, step in enumerate(steps):
        path = f"escalation.ladder[{n}]"
        step = _table(path, step)
        level = step.get("level", n + 1)
        if not isinstance(level, int) or level != n + 1:
            raise PolicyError(f"{path}.level: levels count 1, 2, 3 ... in order",
                              field=f"{path}.level")
        parsed.append(LadderStep(
            level=level,
            after=_elapsed(f"{path}.after", step.get("after")),
            notify=_roles(f"{path}.notify", step.get("notify", [])),
        ))
    if any(b.after < a.after for a, b in zip(parsed, parsed[1:], strict=False)):
        raise PolicyError("escalation.ladder: each level comes no earlier than the one before",
                          field="escalation.ladder")
    return tuple(parsed)


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
            kind = spec.get("kind", "obligation")
            if kind not in KINDS:
                raise PolicyError(
                    f"{path}.kind: must be one of {', '.join(KINDS)}", field=f"{path}.kind"
                )
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
                    kind=kind,
                )
            )
        milestones[lifecycle] = tuple(found)
    reminders, reminder_audience = _reminders(policies.get("reminders", {}))
    return DeadlinePolicy(
        calendar=calendar,
        milestones=milestones,
        reminders=reminders,
        reminder_audience=reminder_audience,
        ladder=_ladder(policies.get("escalation", {})),
        review_audience=_roles(
            "reviews.notify", _table("reviews", policies.get("reviews", {})).get("notify",
                                                                                 ["owner"])
        ),
    )
