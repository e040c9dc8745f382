"""The `[scorecard]` policy: factor weights, how each measure earns points, grade bands.

Every value is checked when it is read, by the typed `[scorecard]` section (config.policies),
and a bad one is BadInput naming its key path (`scorecard.weights.ppm`), before anything is
graded or written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from capaflow.calendars import BusinessCalendar
from capaflow.config.policies import (
    AttitudePoints,
    GradeFloors,
    Policies,
    Scale,
    Scales,
    ScorecardSection,
    Weights,
    section_of,
)
from capaflow.deadlines.policy import DeadlinePolicy, load_policy
from capaflow.errors import BadInput

# In the order they are shown. Acceptance, PPM, response speed and delivery documents can lack
# data in a month (no lots inspected, no deadline due, no lot's documents recorded); the other
# three are measured every month.
# The names are the typed section's fields (config.policies), so config and grading agree.
FACTORS = tuple(Weights.model_fields)
ALWAYS_MEASURED = ("line_defects", "cooperation", "recurrence")
SCALED = tuple(Scales.model_fields)
ATTITUDES = tuple(AttitudePoints.model_fields)
GRADES = (*GradeFloors.model_fields, "E")


@dataclass(frozen=True)
class ScorecardPolicy:
    weights: Mapping[str, float]
    scales: Mapping[str, Scale]
    attitude_points: Mapping[str, float]
    # The attitude a month without the quality lead's rating counts as.
    unrated_attitude: str
    # The lowest score of A, B, C and D, descending; below D's is E.
    grade_floors: tuple[tuple[str, float], ...]
    actor: str
    calendar: BusinessCalendar
    # Whether a run of C or D escalates again at its 6th, 9th, ... month (off: only the 3rd).
    repeat_run_escalations: bool
    # The deadline policies of the same config: the cases an escalation opens (the on-site
    # audit, the cause report) are scheduled by them, a site's override file included.
    deadlines: DeadlinePolicy

    def grade(self, score: float) -> str:
        for grade, floor in self.grade_floors:
            if score >= floor:
                return grade
        return "E"


def load_scorecard_policy(
    policies: Policies | Mapping[str, Any],
    calendar: BusinessCalendar,
    *,
    deadlines: DeadlinePolicy | None = None,
) -> ScorecardPolicy:
    """The `[scorecard]` policy of `policies`; `deadlines` when the caller has read them already.

    Without `deadlines` they are read from the same `policies`, never from the environment:
    the escalations must follow the config the run was given (`--config`).
    """
    section = section_of(policies, "scorecard", ScorecardSection)
    weights = section.weights.model_dump()
    if not any(weights[f] > 0 for f in ALWAYS_MEASURED):
        # Otherwise a supplier with no lots and no deadline due would have nothing to be
        # graded on at all.
        raise BadInput(
            f"scorecard.weights: at least one of {', '.join(ALWAYS_MEASURED)} (measured every "
            "month) must weigh more than 0",
            field="scorecard.weights",
        )
    return ScorecardPolicy(
        weights=weights,
        scales={name: getattr(section.scales, name) for name in SCALED},
        attitude_points=section.attitude_points.model_dump(),
        unrated_attitude=section.unrated_attitude,
        grade_floors=tuple(section.grades.model_dump().items()),
        actor=section.actor,
        repeat_run_escalations=section.repeat_run_escalations,
        calendar=calendar,
        deadlines=deadlines if deadlines is not None else load_policy(policies),
    )
