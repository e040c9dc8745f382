"""Spot-check conformance per person and team for a month (docs/architecture.md, "Service
quality control"): of the reviews done in the month, the share of standard items passed and
the share of spot-checks that passed fully ("100 − 1 = 0" reads the second)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session

from capaflow.scorecards.months import bounds, parse_month
from capaflow.spotchecks.figures import reviewed


@dataclass
class Conformance:
    name: str
    team: str | None
    spot_checks: int = 0
    fully_passed: int = 0
    items: int = 0
    items_passed: int = 0

    @property
    def item_share(self) -> float | None:
        return self.items_passed / self.items if self.items else None

    @property
    def full_share(self) -> float | None:
        return self.fully_passed / self.spot_checks if self.spot_checks else None

    def add(self, items: int, items_passed: int, passed: bool) -> None:
        self.spot_checks += 1
        self.fully_passed += 1 if passed else 0
        self.items += items
        self.items_passed += items_passed


@dataclass
class MonthConformance:
    month: str
    people: list[Conformance]
    teams: list[Conformance]


def month_conformance(session: Session, *, month: str, zone: ZoneInfo) -> MonthConformance:
    year, number = parse_month(month)
    month = f"{year:04d}-{number:02d}"
    start, end = bounds(month, zone)
    people: dict[str, Conformance] = {}
    teams: dict[str, Conformance] = {}
    for row in reviewed(session, None, start, end):
        items, passed = row.items_total or 0, row.items_passed or 0
        people.setdefault(row.person, Conformance(name=row.person, team=row.team)).add(
            items, passed, bool(row.passed))
        team = row.team or "-"
        teams.setdefault(team, Conformance(name=team, team=row.team)).add(
            items, passed, bool(row.passed))
    return MonthConformance(month=month, people=[people[k] for k in sorted(people)],
                            teams=[teams[k] for k in sorted(teams)])
