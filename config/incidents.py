"""`[incidents]` of the policies, typed: the severity scale of incidents, the reminders and the
escalation ladder of their response steps, and one contingency plan per incident type
(docs/architecture.md, "Service quality control").

Checked here: types, bounds, unknown keys, durations, and that every severity a plan names is
on the scale. The roles (of steps, on call and the ladder) and the department a plan names are
checked by the incidents package, which knows the notice roles and the departments
(`incidents.plans.load_plans`), naming the key path.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from capaflow.config.notices import EscalationSection, ReminderRuleSection, RemindersSection
from capaflow.config.sections import (
    DurationText,
    Elapsed,
    Name,
    Names,
    Section,
    Text,
    as_duration,
    refuse,
)

# The severities of the service desk (S1 service down or safety … S4 a question), so one
# scale grades every service problem, an incident as a request (docs/architecture.md,
# "Service desk": a severity grading of service problems).
SEVERITIES = ("S1", "S2", "S3", "S4")


class StepSection(Section):
    """One step of a contingency plan: what is done, by which role, within how long of the
    declaration; `from_severity`: only for incidents this severe or worse; `targets`: a
    tighter (or looser) target at a given severity."""

    action: Text = Field(max_length=300)
    role: Name
    target: Elapsed
    from_severity: Name | None = None
    targets: dict[str, Elapsed] = {}

    @model_validator(mode="after")
    def _positive(self) -> StepSection:
        if self.target <= timedelta(0):
            raise refuse("a step's target must be after the declaration", at="target")
        for severity, target in self.targets.items():
            if target <= timedelta(0):
                raise refuse("a step's target must be after the declaration",
                             at=f"targets.{severity}")
        return self


class PlanSection(Section):
    """An incident type and its contingency plan."""

    title: Text = Field(max_length=200)
    department: Name | None = None
    # The severities this type may be declared at (default: the whole scale).
    severities: Names = ()
    # The roles told at once, whatever the steps.
    on_call: Names = ()
    steps: tuple[StepSection, ...]
    # How often the plan is drilled; how long after closing the review is owed (default:
    # [incidents] review_within).
    drill_every: DurationText = Field(default_factory=lambda: as_duration("6mo"))
    review_within: DurationText | None = None

    @model_validator(mode="after")
    def _has_steps(self) -> PlanSection:
        if not self.steps:
            raise refuse("a contingency plan needs at least one step", at="steps")
        if self.drill_every.amount <= 0:
            raise refuse("must be a positive interval such as \"6mo\"", at="drill_every")
        return self


class IncidentsSection(Section):
    # Most severe first.
    severities: Names = SEVERITIES
    review_within: DurationText = Field(default_factory=lambda: as_duration("5d"))
    # Incident steps are owed in minutes, so their reminders and ladder are minutes too.
    reminders: RemindersSection = RemindersSection(
        rules=(ReminderRuleSection(min_span=timedelta(minutes=30),
                                   before=timedelta(minutes=10)),),
    )
    escalation: EscalationSection = EscalationSection()
    types: dict[str, PlanSection] = {}

    @model_validator(mode="after")
    def _severities_known(self) -> IncidentsSection:
        if not self.severities:
            raise refuse("at least one severity is needed", at="severities")
        if len(set(self.severities)) != len(self.severities):
            raise refuse("a severity is listed twice", at="severities")
        for code, plan in self.types.items():
            for severity in plan.severities:
                if severity not in self.severities:
                    raise refuse(f"'{severity}' is not one of {', '.join(self.severities)}",
                                 at=f"types.{code}.severities")
            for n, step in enumerate(plan.steps):
                named = [("from_severity", step.from_severity)] if step.from_severity else []
                named += [(f"targets.{s}", s) for s in step.targets]
                for key, severity in named:
                    if severity not in self.severities:
                        raise refuse(
                            f"'{severity}' is not one of {', '.join(self.severities)}",
                            at=f"types.{code}.steps[{n}].{key}")
        return self
