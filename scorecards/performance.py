"""A supplier's performance explained: why a month's score is what it is (each factor's
measure, weight and the points it adds to the score), its PPM month by month, and its defect
Pareto over the same months. What the supplier page shows beside the grade chart.

Read only, from the stored scorecards (their `components`, as the month's run computed them)
and the inspection lots; nothing here grades anything again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlmodel import Session

from capaflow.models import InspectionLot
from capaflow.scorecards import months
from capaflow.scorecards.history import defect_pareto
from capaflow.scorecards.policy import FACTORS

_lots: Table = InspectionLot.__table__  # type: ignore[attr-defined]

# The factors in the quality lead's words, in the order the grade weighs them.
FACTOR_TITLES: Mapping[str, str] = {
    "acceptance": "Lots accepted at incoming inspection",
    "ppm": "Defective parts per million inspected",
    "line_defects": "Defective pieces found on the line",
    "response_speed": "Deadlines met on time",
    "cooperation": "Cooperation",
    "recurrence": "Cases reopened (defect came back)",
    "delivery_documents": "Delivery documents complete",
}
_SHARES = ("acceptance", "response_speed", "delivery_documents")


@dataclass(frozen=True)
class Component:
    """One factor of a month's score: what was measured, how it scored, what it adds."""

    factor: str
    title: str
    measure: str  # the measure in words: "95 %", "1,250 ppm", "cooperative", "no data"
    weight: float
    # 0–100 on the factor's scale; None: no data this month, the factor is left out and the
    # others weigh more (scorecards.grading.score_measures).
    points: float | None
    # weight × points / the weights of the factors with data: the components' contributions
    # add up to the score.
    contribution: float | None
    # The share of the score's weight this factor carried this month (0–1).
    effective_weight: float | None


def _measure_words(factor: str, measure: Any) -> str:
    if measure is None:
        return "no data"
    if factor == "cooperation":
        return str(measure).replace("_", " ")
    if factor in _SHARES:
        return f"{float(measure) * 100:.1f} %"
    if factor == "ppm":
        return f"{float(measure):,.0f} ppm"
    return f"{float(measure):g}"


def explain_components(components: Mapping[str, Any]) -> list[Component]:
    """A stored month's components (scorecards.grading.score_measures) as rows whose
    contributions sum to the month's score; empty for a month not graded."""
    present = [f for f in FACTORS if isinstance(components.get(f), Mapping)]
    weighed = sum(float(components[f]["weight"]) for f in present
                  if components[f].get("points") is not None)
    rows = []
    for factor in present:
        entry = components[factor]
        weight = float(entry["weight"])
        points = entry.get("points")
        counted = points is not None and weighed > 0
        rows.append(Component(
            factor=factor, title=FACTOR_TITLES.get(factor, factor.replace("_", " ")),
            measure=_measure_words(factor, entry.get("measure")), weight=weight,
            points=None if points is None else float(points),
            contribution=float(points) * weight / weighed if counted else None,
            effective_weight=weight / weighed if counted else None,
        ))
    return rows


@dataclass(frozen=True)
class MonthPPM:
    month: str
    sampled: int
    defects: int

    @property
    def ppm(self) -> float | None:
        """Defective parts per million inspected; None for a month with no lot."""
        return self.defects / self.sampled * 1e6 if self.sampled else None


def ppm_trend(
    session: Session, *, supplier_id: int, now: datetime, zone: ZoneInfo, count: int = 12
) -> list[MonthPPM]:
    """Each of the last `count` months up to now's (the site's months), oldest first: the
    pieces inspected and found defective in the supplier's lots, as the grade's PPM reads
    them (scorecards.grading: every lot, 100 % lots included)."""
    last = months.month_of(now, zone)
    names = [months.shift(last, -k) for k in range(count - 1, -1, -1)]
    start, _ = months.bounds(names[0], zone)
    _, end = months.bounds(last, zone)
    sums: dict[str, tuple[int, int]] = {}
    query = (
        select(_lots.c.inspected_at, _lots.c.sample_size, _lots.c.defects)
        .where(_lots.c.supplier_id == supplier_id, _lots.c.inspected_at >= start,
               _lots.c.inspected_at < end)
    )
    # A year of one supplier's lots is a few thousand rows at most: summed here, by the
    # site's months, which the database cannot group by portably across time zones.
    for at, sampled, defects in session.connection().execute(query):
        name = months.month_of(at, zone)
        before = sums.get(name, (0, 0))
        sums[name] = (before[0] + int(sampled), before[1] + int(defects))
    return [MonthPPM(month=m, sampled=sums.get(m, (0, 0))[0], defects=sums.get(m, (0, 0))[1])
            for m in names]


def pareto_months(
    session: Session, *, supplier_id: int, now: datetime, zone: ZoneInfo, count: int = 12
) -> list[tuple[str, int]]:
    """Defective pieces per defect code over the last `count` months up to now, most first."""
    last = months.month_of(now, zone)
    start, _ = months.bounds(months.shift(last, -(count - 1)), zone)
    return defect_pareto(session, supplier_id=supplier_id, start=start, end=now)

