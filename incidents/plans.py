"""The contingency plans in force: `[incidents]` of the policies with the names it uses
checked against what only other packages know (the notice roles, the departments), and the
steps a plan owes at a given severity.

A plan is checked when the policies are (runtime.check_policies) and again by every command
that reads it, so a step with no role, a role nobody can be told as, or a department that
does not exist is refused naming its key path (PolicyError, exit 2) before anything is
written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from capaflow.calendars import BusinessCalendar, Duration
from capaflow.config.incidents import IncidentsSection, PlanSection
from capaflow.config.policies import CalendarSection, Policies, section_of
from capaflow.config.sections import PolicyError
from capaflow.deadlines.policy import ROLES
from capaflow.errors import BadInput
from capaflow.notifications.routing import SUPPLIER_ROLES

# Who a step or an on-call notice may name: our own roles. A supplier's people are never on
# call for our incidents.
PLAN_ROLES = tuple(r for r in ROLES if r not in SUPPLIER_ROLES)


@dataclass(frozen=True)
class PlanStep:
    number: int
    action: str
    role: str
    target: timedelta


@dataclass(frozen=True)
class Plan:
    code: str
    title: str
    department: str | None
    severities: tuple[str, ...]
    on_call: tuple[str, ...]
    drill_every: Duration
    review_within: Duration
    section: PlanSection

    def steps_at(self, severity: str, scale: tuple[str, ...]) -> list[PlanStep]:
        """The steps owed at `severity`, numbered in the plan's order (a step that applies
        only from a higher severity keeps its number: step 4 is step 4 in every incident)."""
        rank = scale.index(severity)
        found = []
        for n, step in enumerate(self.section.steps, start=1):
            if step.from_severity is not None and rank > scale.index(step.from_severity):
                continue
            found.append(PlanStep(number=n, action=step.action, role=step.role,
                                  target=step.targets.get(severity, step.target)))
        return found


@dataclass(frozen=True)
class Plans:
    """Every incident type's plan, the severity scale, and the calendar their durations
    (drill interval, review) count on."""

    section: IncidentsSection
    plans: Mapping[str, Plan]
    calendar: BusinessCalendar

    @property
    def severities(self) -> tuple[str, ...]:
        return self.section.severities

    def plan(self, code: str, *, field: str = "type") -> Plan:
        found = self.plans.get(code.strip())
        if found is None:
            known = ", ".join(self.plans) or "none configured"
            raise BadInput(f"{field}: '{code}' is not an incident type ({known})", field=field)
        return found

    def severity(self, plan: Plan, severity: str) -> str:
        value = severity.strip()
        if value not in plan.severities:
            raise BadInput(f"severity: '{severity}' is not a severity of {plan.code} "
                           f"({', '.join(plan.severities)})", field="severity")
        return value

    def review_due(self, plan: Plan, closed_at: datetime) -> datetime:
        return self.calendar.add(closed_at, plan.review_within)

    def next_drill(self, plan: Plan, last: datetime) -> datetime:
        return self.calendar.add(last, plan.drill_every)


def _role(path: str, role: str) -> str:
    if role not in PLAN_ROLES:
        raise PolicyError(f"{path}: '{role}' is not a role ({', '.join(PLAN_ROLES)})",
                          field=path)
    return role


def load_plans(policies: Policies | Mapping[str, Any]) -> Plans:
    """`[incidents]` checked beyond its types: each role of a step, on call or on the ladder
    is one the notices know; each department exists."""
    section = section_of(policies, "incidents", IncidentsSection)
    departments = (policies.departments if isinstance(policies, Policies)
                   else dict(policies.get("departments", {})))
    calendar = section_of(policies, "calendar", CalendarSection).business_calendar()
    for n, rung in enumerate(section.escalation.ladder):
        for role in rung.notify:
            if role != "owner":
                _role(f"incidents.escalation.ladder[{n}].notify", role)
    plans: dict[str, Plan] = {}
    for code, spec in section.types.items():
        path = f"incidents.types.{code}"
        if spec.department is not None and spec.department not in departments:
            raise PolicyError(
                f"{path}.department: '{spec.department}' is not a department "
                f"({', '.join(departments) or 'none configured'})", field=f"{path}.department")
        for role in spec.on_call:
            _role(f"{path}.on_call", role)
        for n, step in enumerate(spec.steps):
            _role(f"{path}.steps[{n}].role", step.role)
        plans[code] = Plan(
            code=code, title=spec.title, department=spec.department,
            severities=spec.severities or section.severities, on_call=spec.on_call,
            drill_every=spec.drill_every,
            review_within=spec.review_within or section.review_within, section=spec,
        )
    return Plans(section=section, plans=plans, calendar=calendar)
