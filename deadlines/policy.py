"""The deadline policies in force: `[calendar]` and `[deadlines]` of the merged config, checked.

The typed model (config.policies) checks each value and names its key path
(`deadlines.8d.containment.due: ...`) before any command touches the database; this module
adds what only the rules know: which lifecycles, steps and notice roles exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from capaflow.calendars import BusinessCalendar, Duration
from capaflow.config.incidents import IncidentsSection
from capaflow.config.notices import EscalationSection, RemindersSection
from capaflow.config.policies import (
    COMPLEXITIES as COMPLEXITIES,
)
from capaflow.config.policies import (
    SEVERITIES as SEVERITIES,
)
from capaflow.config.policies import (
    CalendarSection,
    MilestoneSection,
    Policies,
    ReviewsSection,
    deadlines_of,
    section_of,
)
from capaflow.config.sections import PolicyError
from capaflow.config.service import ServiceSection
from capaflow.notifications.routing import (
    OWNER,
    QUALITY_LEAD,
    QUALITY_MANAGER,
    SERVICE_ROLES,
    SUPPLIER_ROLES,
)
from capaflow.statemachines import LIFECYCLES

# The pseudo-step that starts the clocks of a new case.
OPEN = "open"
# The roles a notice can go to: ours, and the supplier's (routing knows where each is found).
ROLES = (OWNER, QUALITY_LEAD, QUALITY_MANAGER, *SUPPLIER_ROLES, *SERVICE_ROLES)


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
class NoticePlan:
    """How the obligations of a lifecycle are chased: the reminder rules and who gets them,
    and the ladder once overdue."""

    reminders: tuple[ReminderRule, ...] = ()
    reminder_audience: tuple[str, ...] = ("owner",)
    ladder: tuple[LadderStep, ...] = ()

    def reminder_at(self, started_at: datetime, due_at: datetime) -> datetime | None:
        """When to remind before an obligation; None when that moment is not after its start."""
        span = due_at - started_at
        for rule in self.reminders:
            if span >= rule.min_span:
                moment = due_at - rule.before
                return moment if moment > started_at else None
        return None


@dataclass(frozen=True)
class DeadlinePolicy:
    calendar: BusinessCalendar
    milestones: dict[str, tuple[Milestone, ...]]  # by lifecycle
    reminders: tuple[ReminderRule, ...] = ()
    reminder_audience: tuple[str, ...] = ("owner",)
    ladder: tuple[LadderStep, ...] = ()
    review_audience: tuple[str, ...] = ("owner",)
    # A lifecycle chased its own way (the service desk's SLA ladder); the others use the
    # reminders and ladder above.
    plans: Mapping[str, NoticePlan] = field(default_factory=dict)

    def started_by(self, lifecycle: str, step: str) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones.get(lifecycle, ()) if step in m.starts_on)

    def plan_for(self, lifecycle: str | None = None) -> NoticePlan:
        found = self.plans.get(lifecycle) if lifecycle is not None else None
        if found is not None:
            return found
        return NoticePlan(reminders=self.reminders, reminder_audience=self.reminder_audience,
                          ladder=self.ladder)

    def reminder_at(
        self, started_at: datetime, due_at: datetime, lifecycle: str | None = None
    ) -> datetime | None:
        """When to remind before an obligation; None when that moment is not after its start."""
        return self.plan_for(lifecycle).reminder_at(started_at, due_at)

    def first_action_at(
        self, kind: str, started_at: datetime, due_at: datetime, lifecycle: str | None = None
    ) -> datetime:
        """The first moment the sweep has something to do for a new deadline."""
        if kind == "obligation":
            return self.reminder_at(started_at, due_at, lifecycle) or due_at
        return due_at


def _roles(path: str, roles: tuple[str, ...]) -> tuple[str, ...]:
    for role in roles:
        if role not in ROLES:
            raise PolicyError(
                f"{path}: '{role}' is not a role ({', '.join(ROLES)})", field=path
            )
    return roles


def _steps(
    path: str, steps: tuple[str, ...], lifecycle: str, *, allow_open: bool
) -> tuple[str, ...]:
    known = set(LIFECYCLES[lifecycle].triggers) | ({OPEN} if allow_open else set())
    for step in steps:
        if step not in known:
            raise PolicyError(
                f"{path}: '{step}' is not a step of {lifecycle} ({', '.join(sorted(known))})",
                field=path,
            )
    return steps


def _milestones(
    lifecycle: str, table: dict[str, MilestoneSection]
) -> tuple[Milestone, ...]:
    if lifecycle not in LIFECYCLES:
        raise PolicyError(
            f"deadlines.{lifecycle}: not a lifecycle ({', '.join(LIFECYCLES)})",
            field=f"deadlines.{lifecycle}",
        )
    found = []
    for key, spec in table.items():
        path = f"deadlines.{lifecycle}.{key}"
        found.append(
            Milestone(
                lifecycle=lifecycle,
                key=key,
                title=spec.title if spec.title is not None else key.replace("_", " "),
                starts_on=_steps(f"{path}.starts_on", spec.starts_on, lifecycle, allow_open=True),
                met_by=_steps(f"{path}.met_by", spec.met_by, lifecycle, allow_open=False),
                due=spec.due.as_table(),
                every=spec.every,
                kind=spec.kind,
            )
        )
    return tuple(found)


def _plan(prefix: str, reminders: RemindersSection, escalation: EscalationSection) -> NoticePlan:
    # Longest spans first, so "the first rule that fits" means the most specific one.
    rules = sorted(
        (ReminderRule(min_span=r.min_span, before=r.before) for r in reminders.rules),
        key=lambda r: r.min_span, reverse=True,
    )
    ladder = tuple(
        LadderStep(
            level=n + 1,
            after=step.after,
            notify=_roles(f"{prefix}escalation.ladder[{n}].notify", step.notify),
        )
        for n, step in enumerate(escalation.ladder)
    )
    return NoticePlan(
        reminders=tuple(rules),
        reminder_audience=_roles(f"{prefix}reminders.notify", reminders.notify),
        ladder=ladder,
    )


def _service_plan(policies: Policies | Mapping[str, Any]) -> dict[str, NoticePlan]:
    """The service desk's own reminders and ladder, when the policies have a [service]."""
    if not isinstance(policies, Policies) and "service" not in policies:
        return {}
    service = section_of(policies, "service", ServiceSection)
    return {"service": _plan("service.", service.reminders, service.escalation)}


def _incident_plan(policies: Policies | Mapping[str, Any]) -> dict[str, NoticePlan]:
    """The incidents' own reminders and ladder (`[incidents.reminders]`,
    `[incidents.escalation]`): minutes, not days, as their steps are owed."""
    if not isinstance(policies, Policies) and "incidents" not in policies:
        return {}
    incidents = section_of(policies, "incidents", IncidentsSection)
    return {"incident": _plan("incidents.", incidents.reminders, incidents.escalation)}


def load_policy(policies: Policies | Mapping[str, Any]) -> DeadlinePolicy:
    """`[calendar]`, `[deadlines]`, `[reminders]`, `[escalation]` and `[reviews]` (and the
    service desk's `[service.reminders]` and `[service.escalation]`) as the DeadlinePolicy;
    the typed model checks the values, this the steps and roles they name."""
    calendar = section_of(policies, "calendar", CalendarSection)
    reviews = section_of(policies, "reviews", ReviewsSection)
    milestones = {
        lifecycle: _milestones(lifecycle, table)
        for lifecycle, table in deadlines_of(policies).items()
    }
    default = _plan("", section_of(policies, "reminders", RemindersSection),
                    section_of(policies, "escalation", EscalationSection))
    return DeadlinePolicy(
        calendar=calendar.business_calendar(),
        milestones=milestones,
        reminders=default.reminders,
        reminder_audience=default.reminder_audience,
        ladder=default.ladder,
        review_audience=_roles("reviews.notify", reviews.notify),
        plans={**_service_plan(policies), **_incident_plan(policies)},
    )
