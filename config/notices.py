"""`[reminders]` and `[escalation]`: when an obligation is reminded before it is due, and the
ladder it climbs once overdue. The same shapes serve the service desk's own reminders and
ladder (`[service.reminders]`, `[service.escalation]`); deadlines.policy checks the roles."""

from __future__ import annotations

from datetime import timedelta

from pydantic import field_validator

from capaflow.config.sections import Elapsed, Names, Section, Whole, refuse


class ReminderRuleSection(Section):
    min_span: Elapsed = timedelta(0)
    before: Elapsed


class RemindersSection(Section):
    rules: tuple[ReminderRuleSection, ...] = ()
    notify: Names = ("owner",)


class LadderStepSection(Section):
    level: Whole | None = None
    after: Elapsed
    notify: Names = ()


class EscalationSection(Section):
    ladder: tuple[LadderStepSection, ...] = ()

    @field_validator("ladder")
    @classmethod
    def _levels_in_order(
        cls, ladder: tuple[LadderStepSection, ...]
    ) -> tuple[LadderStepSection, ...]:
        for n, step in enumerate(ladder):
            if step.level is not None and step.level != n + 1:
                raise refuse("levels count 1, 2, 3 ... in order", at=f"[{n}].level")
        if any(b.after < a.after for a, b in zip(ladder, ladder[1:], strict=False)):
            raise refuse("each level comes no earlier than the one before")
        return ladder
