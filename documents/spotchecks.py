"""Spot-checks, the weekly draw and the monthly conformance as the CLI and the API print them
(docs/architecture.md, "Service quality control")."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp
from capaflow.models import SpotCheck, SpotCheckDraw
from capaflow.spotchecks.report import Conformance, MonthConformance
from capaflow.spotchecks.review import SpotCheckView


class ItemResultPublic(Public):
    code: str
    passed: bool
    weight: float
    factor: str
    critical: bool


class SpotCheckPublic(Public):
    id: int
    state: str
    week: str
    request: int
    person: str
    team: str | None
    department: str | None
    position: str | None
    reviewer: str
    due_at: Timestamp
    reviewed_at: Timestamp | None
    reviewed_by: str | None
    standard_version: int | None
    # 0 to 100: the weighted share of items passed, 0 when a critical item failed.
    score: float | None
    passed: bool | None
    items: list[ItemResultPublic]


class DrawPublic(Public):
    week: str
    seed: int
    closed_requests: int
    drawn: int
    drawn_at: Timestamp
    drawn_by: str
    # True when the week had been drawn already: the same sample, nothing written.
    already_drawn: bool
    spotchecks: list[SpotCheckPublic]


class ConformancePublic(Public):
    name: str
    team: str | None
    spot_checks: int
    fully_passed: int
    items: int
    items_passed: int
    # Shares 0 to 1; None when nothing was reviewed.
    item_conformance: float | None
    full_conformance: float | None


class ConformanceReportPublic(Public):
    month: str
    people: list[ConformancePublic]
    teams: list[ConformancePublic]


def spot_check_document(row: SpotCheck, state: str) -> SpotCheckPublic:
    return SpotCheckPublic(
        id=row.case_id, state=state, week=row.week, request=row.request_case_id,
        person=row.person, team=row.team, department=row.department, position=row.position,
        reviewer=row.reviewer, due_at=row.due_at, reviewed_at=row.reviewed_at,
        reviewed_by=row.reviewed_by, standard_version=row.standard_version, score=row.score,
        passed=row.passed,
        items=[ItemResultPublic.model_validate(i) for i in row.items],
    )


def view_document(view: SpotCheckView) -> SpotCheckPublic:
    return spot_check_document(view.spot_check, view.case.state)


def draw_document(draw: SpotCheckDraw, rows: list[tuple[SpotCheck, str]],
                  already_drawn: bool) -> DrawPublic:
    return DrawPublic(
        week=draw.week, seed=draw.seed, closed_requests=draw.closed_requests, drawn=draw.drawn,
        drawn_at=draw.drawn_at, drawn_by=draw.drawn_by, already_drawn=already_drawn,
        spotchecks=[spot_check_document(r, s) for r, s in rows])


def _conformance(c: Conformance) -> ConformancePublic:
    return ConformancePublic(
        name=c.name, team=c.team, spot_checks=c.spot_checks, fully_passed=c.fully_passed,
        items=c.items, items_passed=c.items_passed,
        item_conformance=None if c.item_share is None else round(c.item_share, 4),
        full_conformance=None if c.full_share is None else round(c.full_share, 4))


def conformance_document(report: MonthConformance) -> ConformanceReportPublic:
    return ConformanceReportPublic(month=report.month,
                                   people=[_conformance(c) for c in report.people],
                                   teams=[_conformance(c) for c in report.teams])
