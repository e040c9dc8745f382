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
    @property
    def meeting_case_id(self) -> int | None: ...
    @property
    def meeting_due_at(self) -> datetime | None: ...


class Grade(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def month(self) -> str: ...
    @property
    def score(self) -> float | None: ...
    @property
    def grade(self) -> str | None: ...
    @property
    def graded(self) -> bool: ...
    @property
    def not_graded_reason(self) -> str | None: ...
    @property
    def components(self) -> dict[str, Any]: ...


class SupplierResult(Grade, Protocol):
    @property
    def previous_grade(self) -> str | None: ...
    @property
    def previous_month(self) -> str | None: ...
    @property
    def blacklisted(self) -> bool: ...
    @property
    def provisional(self) -> bool: ...
    @property
    def escalations(self) -> Sequence[Fired]: ...


class GradedMonth(Grade, Protocol):
    @property
    def computed_at(self) -> datetime: ...
    @property
    def escalations(self) -> list[dict[str, Any]]: ...


class GradePublic(Public):
    """A supplier's grade for a month: what a run answers and what is stored share these."""

    supplier: str
    month: str
    # Both null for a month not graded (nothing to grade in it): `graded` is false and
    # `not_graded_reason` says why. The escalation rules look through such a month.
    score: float | None
    grade: str | None
    graded: bool
    not_graded_reason: str | None


class EscalationTakenPublic(Public):
    """An escalation a run took: what it does, whom it notifies, by when it is due."""

    rule: str
    actions: list[str]
    notify: list[str]
    due_at: Timestamp | None
    # The meeting the rule asks for, a case of the meeting lifecycle (null when none is asked):
    # closed with `capa case advance ID record_minutes --field minutes=...`.
    meeting_case_id: int | None = None
    meeting_due_at: Timestamp | None = None


class SupplierGradePublic(GradePublic):
    """One supplier's grade for the month, as a run computed it."""

    # The last graded month before this one (months not graded looked through) and its grade.
    previous_grade: str | None
    previous_month: str | None
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


class GradedMonthPublic(GradePublic):
    """A stored grade."""

    components: dict[str, Any]
    computed_at: Timestamp
    escalations: list[EscalationFiredPublic]


def _grade(graded: Grade) -> GradePublic:
    return GradePublic(supplier=graded.code, month=graded.month, score=graded.score,
                       grade=graded.grade, graded=graded.graded,
                       not_graded_reason=graded.not_graded_reason)


def supplier_grade_document(result: SupplierResult) -> SupplierGradePublic:
    return SupplierGradePublic(
        **dict(_grade(result)),
        previous_grade=result.previous_grade,
        previous_month=result.previous_month,
        blacklisted=result.blacklisted,
        provisional=result.provisional,
        components=result.components,
        escalations=[
            EscalationTakenPublic(rule=f.rule, actions=list(f.actions), notify=list(f.audience),
                                  due_at=f.due_at, meeting_case_id=f.meeting_case_id,
                                  meeting_due_at=f.meeting_due_at)
            for f in result.escalations
        ],
    )


def scorecard_run_document(month: str, results: Sequence[SupplierResult]) -> ScorecardRunPublic:
    """The run of `month` (as the results name it, when there are any)."""
    return ScorecardRunPublic(month=results[0].month if results else month,
                              suppliers=[supplier_grade_document(r) for r in results])


def graded_month_document(graded: GradedMonth) -> GradedMonthPublic:
    return GradedMonthPublic(
        **dict(_grade(graded)),
        components=graded.components,
        computed_at=graded.computed_at,
        escalations=[
            EscalationFiredPublic(rule=e["rule"], actions=e["actions"], at=e["at"])
            for e in graded.escalations
        ],
    )
