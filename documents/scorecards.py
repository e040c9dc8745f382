"""Monthly supplier grades: a month's run (`capa scorecard run --json`, POST /scorecards/runs)
and the stored grades (`capa scorecard show --json`, GET /scorecards)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from capaflow.documents.base import Public, Timestamp

# What the documents read of the scorecard service's results (scorecards.grading's
# SupplierResult and escalation.Fired, history.GradedMonth), by shape: read models import only
# rules and models (docs/architecture.md, "Layers"), so any object with these attributes will do.


class Fired(Protocol):
    @property
    def rule(self) -> str: ...
    @property
    def actions(self) -> Sequence[str]: ...
    @property
    def audience(self) -> Sequence[str]: ...
    @property
    def due_at(self) -> datetime | None: ...


class SupplierResult(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def month(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def grade(self) -> str: ...
    @property
    def previous_grade(self) -> str | None: ...
    @property
    def blacklisted(self) -> bool: ...
    @property
    def provisional(self) -> bool: ...
    @property
    def components(self) -> dict[str, Any]: ...
    @property
    def escalations(self) -> Sequence[Fired]: ...


class GradedMonth(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def month(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def grade(self) -> str: ...
    @property
    def components(self) -> dict[str, Any]: ...
    @property
    def computed_at(self) -> datetime: ...
    @property
    def escalations(self) -> list[dict[str, Any]]: ...


class EscalationTakenPublic(Public):
    """An escalation a run took: what it does, whom it notifies, by when it is due."""

    rule: str
    actions: list[str]
    notify: list[str]
    due_at: Timestamp | None


class SupplierGradePublic(Public):
    """One supplier's grade for the month, as a run computed it."""

    supplier: str
    month: str
    score: float
    grade: str
    previous_grade: str | None
    blacklisted: bool
    # A month not over yet is graded provisionally: its escalations wait for the month's end.
    provisional: bool
    components: dict[str, Any]
    escalations: list[EscalationTakenPublic]


class ScorecardRunPublic(Public):
    month: str
    suppliers: list[SupplierGradePublic]


class EscalationFiredPublic(Public):
    """An escalation fired for the month, by any run."""

    rule: str
    actions: list[str]
    at: Timestamp


class GradedMonthPublic(Public):
    """A stored grade."""

    supplier: str
    month: str
    score: float
    grade: str
    components: dict[str, Any]
    computed_at: Timestamp
    escalations: list[EscalationFiredPublic]


def supplier_grade_document(result: SupplierResult) -> SupplierGradePublic:
    return SupplierGradePublic(
        supplier=result.code,
        month=result.month,
        score=result.score,
        grade=result.grade,
        previous_grade=result.previous_grade,
        blacklisted=result.blacklisted,
        provisional=result.provisional,
        components=result.components,
        escalations=[
            EscalationTakenPublic(rule=f.rule, actions=list(f.actions), notify=list(f.audience),
                                  due_at=f.due_at)
            for f in result.escalations
        ],
    )


def scorecard_run_document(month: str, results: Sequence[SupplierResult]) -> ScorecardRunPublic:
    """The run of `month` (as the results name it, when there are any)."""
    return ScorecardRunPublic(month=results[0].month if results else month,
                              suppliers=[supplier_grade_document(r) for r in results])


def graded_month_document(graded: GradedMonth) -> GradedMonthPublic:
    return GradedMonthPublic(
        supplier=graded.code,
        month=graded.month,
        score=graded.score,
        grade=graded.grade,
        components=graded.components,
        computed_at=graded.computed_at,
        escalations=[
            EscalationFiredPublic(rule=e["rule"], actions=e["actions"], at=e["at"])
            for e in graded.escalations
        ],
    )
