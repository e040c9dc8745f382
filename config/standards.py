"""`[standards]` of the policies, typed: the quality inspections of the service standards —
how many rounds each department gets a month and who inspects, when an ad hoc round and a
finding's fix are due, who owns findings, and the recurrence window (docs/architecture.md,
"Service quality control").

Checked here: types, bounds and unknown keys; that each department and position named exists
in `[departments]` is checked with the departments (`check_standards`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from capaflow.calendars import Duration
from capaflow.config.departments import DepartmentSection
from capaflow.config.sections import DurationText, Name, Names, Section, refuse


def _positive(value: Duration) -> Duration:
    if value.amount <= 0:
        raise refuse(f"'{value}' must be a span above zero")
    return value


class RoundPlanSection(Section):
    """The planned rounds of one department: `per_month` for each position listed."""

    # Spread over the month: round k of n is due at the end of the k-th n-th of the month.
    per_month: Annotated[int, Field(strict=True, ge=1, le=31)] = 1
    inspector: Name
    # The positions inspected; empty means every position of the department.
    positions: Names = ()


class StandardsSection(Section):
    # An ad hoc round opened without --due is due this long after it was opened.
    round_due: DurationText = Duration(7, "d")
    # A finding's fix is owed by its owner this long after the round was recorded.
    fix_due: DurationText = Duration(14, "d")
    # The same item failing again in the same department within this window of an earlier
    # failure opens a PDCA cycle: the earlier fix did not hold.
    recurrence_window: DurationText = Duration(6, "mo")
    # Who owns a department's findings when the round does not name one; without an entry,
    # the lead of the department's desk team (capa person add --lead) owns them.
    finding_owner: dict[str, Name] = {}
    rounds: dict[str, RoundPlanSection] = {}

    @field_validator("round_due", "fix_due", "recurrence_window")
    @classmethod
    def _above_zero(cls, value: Duration) -> Duration:
        return _positive(value)


def check_standards(standards: StandardsSection,
                    departments: dict[str, DepartmentSection]) -> None:
    """Every department and position `[standards]` names is one of `[departments]`."""
    for code in standards.finding_owner:
        if code not in departments:
            raise refuse(f"'{code}' is not a department ({', '.join(departments)})",
                         at=f"standards.finding_owner.{code}")
    for code, plan in standards.rounds.items():
        if code not in departments:
            raise refuse(f"'{code}' is not a department ({', '.join(departments)})",
                         at=f"standards.rounds.{code}")
        for position in plan.positions:
            if position not in departments[code].positions:
                raise refuse(f"'{position}' is not a position of {code} "
                             f"({', '.join(departments[code].positions)})",
                             at=f"standards.rounds.{code}.positions")
