"""The `[scorecard]` policy: factor weights, how each measure earns points, grade bands.

Every value is checked when it is read, and a bad one is BadInput naming its key path
(`scorecard.weights.ppm`), before anything is graded or written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from capaflow.calendars import BusinessCalendar
from capaflow.deadlines.policy import DeadlinePolicy, load_policy
from capaflow.errors import BadInput

# In the order they are shown. Acceptance, PPM and response speed can lack data in a month
# (no lots inspected, no deadline closed); the other three are measured every month.
FACTORS = ("acceptance", "ppm", "line_defects", "response_speed", "cooperation", "recurrence")
ALWAYS_MEASURED = ("line_defects", "cooperation", "recurrence")
SCALED = ("acceptance", "ppm", "line_defects", "response_speed", "recurrence")
ATTITUDES = ("very_cooperative", "cooperative", "basically_cooperative", "not_cooperative")
GRADES = ("A", "B", "C", "D", "E")


@dataclass(frozen=True)
class Scale:
    """Points 0–100, linear between the measure that earns all (`full`) and none (`zero`).

    Either end may be the larger: acceptance earns more as it rises, PPM as it falls.
    """

    full: float
    zero: float

    def points(self, measure: float) -> float:
        share = (measure - self.zero) / (self.full - self.zero)
        return 100.0 * min(1.0, max(0.0, share))


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
    # The deadline policies of the same config: the cases an escalation opens (the on-site
    # audit, the cause report) are scheduled by them, a site's override file included.
    deadlines: DeadlinePolicy

    def grade(self, score: float) -> str:
        for grade, floor in self.grade_floors:
            if score >= floor:
                return grade
        return "E"


def _fail(path: str, message: str) -> BadInput:
    return BadInput(f"{path}: {message}", field=path)


def _table(path: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "expected a table")
    return value


def _number(path: str, value: Any, *, low: float | None = None, high: float | None = None) -> float:
    # bool is an int to Python; `ppm = true` is still a mistake.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(path, f"expected a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
        raise _fail(path, f"must be {span}, got {value!r}")
    return float(value)


def _only(path: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise _fail(f"{path}.{unknown[0]}", f"unknown key (expected {', '.join(known)})")
    missing = [k for k in known if k not in table]
    if missing:
        raise _fail(f"{path}.{missing[0]}", "missing")


def load_scorecard_policy(
    policies: Mapping[str, Any],
    calendar: BusinessCalendar,
    *,
    deadlines: DeadlinePolicy | None = None,
) -> ScorecardPolicy:
    """The `[scorecard]` policy of `policies`; `deadlines` when the caller has read them already.

    Without `deadlines` they are read from the same `policies`, never from the environment:
    the escalations must follow the config the run was given (`--config`).
    """
    section = _table("scorecard", policies.get("scorecard", {}))

    weights_table = _table("scorecard.weights", section.get("weights"))
    _only("scorecard.weights", weights_table, FACTORS)
    weights = {f: _number(f"scorecard.weights.{f}", weights_table[f], low=0) for f in FACTORS}
    if not any(weights[f] > 0 for f in ALWAYS_MEASURED):
        # Otherwise a supplier with no lots and no closed deadline would have nothing to be
        # graded on at all.
        raise _fail(
            "scorecard.weights",
            f"at least one of {', '.join(ALWAYS_MEASURED)} (measured every month) must weigh "
            "more than 0",
        )

    scales_table = _table("scorecard.scales", section.get("scales"))
    _only("scorecard.scales", scales_table, SCALED)
    scales: dict[str, Scale] = {}
    for name in SCALED:
        path = f"scorecard.scales.{name}"
        spec = _table(path, scales_table[name])
        _only(path, spec, ("full", "zero"))
        full = _number(f"{path}.full", spec["full"], low=0)
        zero = _number(f"{path}.zero", spec["zero"], low=0)
        if full == zero:
            raise _fail(path, "full and zero must differ")
        scales[name] = Scale(full=full, zero=zero)
    for name in ("acceptance", "response_speed"):  # shares
        for end in ("full", "zero"):
            _number(f"scorecard.scales.{name}.{end}", getattr(scales[name], end), low=0, high=1)

    attitude_table = _table("scorecard.attitude_points", section.get("attitude_points"))
    _only("scorecard.attitude_points", attitude_table, ATTITUDES)
    attitude_points = {
        a: _number(f"scorecard.attitude_points.{a}", attitude_table[a], low=0, high=100)
        for a in ATTITUDES
    }
    unrated = section.get("unrated_attitude")
    if unrated not in ATTITUDES:
        raise _fail("scorecard.unrated_attitude", f"must be one of {', '.join(ATTITUDES)}")

    grades_table = _table("scorecard.grades", section.get("grades"))
    _only("scorecard.grades", grades_table, GRADES[:4])
    floors = tuple(
        (g, _number(f"scorecard.grades.{g}", grades_table[g], low=0, high=100))
        for g in GRADES[:4]
    )
    for (upper, high), (lower, low) in zip(floors, floors[1:], strict=False):
        if low >= high:
            raise _fail(
                f"scorecard.grades.{lower}",
                f"must be below {upper}'s {high:g} (bands are the lowest score of each grade)",
            )

    actor = section.get("actor", "capaflow")
    if not isinstance(actor, str) or not actor.strip():
        raise _fail("scorecard.actor", "expected a name")
    return ScorecardPolicy(
        weights=weights,
        scales=scales,
        attitude_points=attitude_points,
        unrated_attitude=str(unrated),
        grade_floors=floors,
        actor=actor.strip()[:100],
        calendar=calendar,
        deadlines=deadlines if deadlines is not None else load_policy(dict(policies)),
    )
