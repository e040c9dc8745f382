"""Cases as the contract shows them: `capa case open|advance|show|list|history|report --json`
and the API's /cases routes (and the step inside an accepted submission)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, TypeVar

from capaflow.deadlines.schedule import DeadlineChanges
from capaflow.deadlines.status import is_overdue
from capaflow.documents.base import Public, Timestamp, from_row
from capaflow.documents.comments import CommentPublic, comment_document
from capaflow.models import Case, CaseComment, CaseEvent, Deadline, Supplier
from capaflow.statemachines import LIFECYCLES


class DeadlinePublic(Public):
    """A milestone the case owes (or a timer the sweep acts on), and whether it was met."""

    id: int
    key: str
    title: str
    sequence: int
    status: str
    overdue: bool
    started_at: Timestamp
    due_at: Timestamp
    closed_at: Timestamp | None
    met_on_time: bool | None
    met_by: list[str]


class EventPublic(Public):
    """One step of the audit trail, with the hashes that chain it to the one before."""

    seq: int
    at: Timestamp
    actor: str
    action: str
    from_state: str | None
    to_state: str
    fields: dict[str, Any]
    note: str | None
    prev_hash: str
    hash: str


class CaseSummary(Public):
    """The case itself: where it stands, what may happen next, and what it holds so far."""

    id: int
    lifecycle: str
    state: str
    discipline: str | None
    allowed_triggers: list[str]
    version: int
    title: str
    supplier: str | None
    part: str | None
    defect_code: str | None
    severity: str
    complexity: str
    owner: str | None
    cycle: int
    reopen_count: int
    occurrences: int
    content: dict[str, Any]
    opened_at: Timestamp
    updated_at: Timestamp
    closed_at: Timestamp | None
    # Batch versus sporadic (README): batch, sporadic, one_off, unavoidable; None when the
    # case was not opened or counted from a recorded defect (or before the rule existed).
    classification: str | None = None


class CasePublic(CaseSummary):
    """`capa case show`, GET /cases/{id}: the case with every deadline and every event."""

    deadlines: list[DeadlinePublic]
    events: list[EventPublic]
    # The conversation on the case, oldest first: all of it for the quality team, the shared
    # comments only for a supplier (conversation.read_thread).
    comments: list[CommentPublic] = []


class CaseListItem(CaseSummary):
    """A row of `capa case list`, GET /cases: the case and the deadline it owes soonest."""

    next_deadline: DeadlinePublic | None


class DeadlineChangesPublic(Public):
    """What one step did to the case's deadlines."""

    met: list[DeadlinePublic]
    started: list[DeadlinePublic]
    cancelled: list[DeadlinePublic]
    reinstated: list[DeadlinePublic]


class StepPublic(Public):
    """`capa case open|advance`, POST /cases and /cases/{id}/advance: the case after the
    step, the event it wrote and the deadlines it moved."""

    case: CaseSummary
    event: EventPublic
    deadlines: DeadlineChangesPublic


class CaseHistoryPublic(Public):
    """`capa case history`: the audit trail of one case."""

    case: int
    events: list[EventPublic]


class CaseReportPublic(Public):
    """`capa case report`, GET /cases/{id}/report: the 8D report (or PDCA record)."""

    case: int
    format: Literal["markdown"]
    report: str


C = TypeVar("C", bound="CaseSummary")


def deadline_document(deadline: Deadline, now: datetime) -> DeadlinePublic:
    return from_row(DeadlinePublic, deadline, overdue=is_overdue(deadline, now))


def event_document(event: CaseEvent) -> EventPublic:
    return from_row(EventPublic, event)


def _case(document: type[C], case: Case, supplier: Supplier | None, **given: Any) -> C:
    lifecycle = LIFECYCLES[case.lifecycle]
    return from_row(
        document, case,
        discipline=lifecycle.disciplines.get(case.state),
        allowed_triggers=list(lifecycle.allowed(case.state)),
        supplier=supplier.code if supplier else None,
        classification=_classification(case),
        **given,
    )


def _classification(case: Case) -> str | None:
    value = case.content.get("classification")
    return value if isinstance(value, str) else None


def case_summary(case: Case, supplier: Supplier | None) -> CaseSummary:
    return _case(CaseSummary, case, supplier)


def case_document(
    case: Case,
    supplier: Supplier | None,
    deadlines: Iterable[Deadline],
    events: Iterable[CaseEvent],
    now: datetime,
    comments: Iterable[CaseComment] = (),
) -> CasePublic:
    return _case(
        CasePublic, case, supplier,
        deadlines=[deadline_document(d, now) for d in deadlines],
        events=[event_document(e) for e in events],
        comments=[comment_document(c) for c in comments],
    )


def case_list(
    cases: Iterable[Case],
    suppliers: Mapping[int, Supplier],
    next_due: Mapping[int, Deadline],
    now: datetime,
) -> list[CaseListItem]:
    """The rows of a case list: `suppliers` by id, `next_due` (the soonest deadline owed)
    by case id, as models.queries reads them for a whole page at once."""
    rows = []
    for case in cases:
        supplier = suppliers.get(case.supplier_id) if case.supplier_id is not None else None
        due = next_due.get(case.id) if case.id is not None else None
        rows.append(_case(
            CaseListItem, case, supplier,
            next_deadline=deadline_document(due, now) if due is not None else None,
        ))
    return rows


def step_document(
    case: Case,
    event: CaseEvent,
    changes: DeadlineChanges,
    supplier: Supplier | None,
    now: datetime,
) -> StepPublic:
    """A step the engine took (casework.engine.StepResult's parts)."""
    return StepPublic(
        case=case_summary(case, supplier),
        event=event_document(event),
        deadlines=DeadlineChangesPublic(
            met=[deadline_document(d, now) for d in changes.met],
            started=[deadline_document(d, now) for d in changes.started],
            cancelled=[deadline_document(d, now) for d in changes.cancelled],
            reinstated=[deadline_document(d, now) for d in changes.reinstated],
        ),
    )


def history_document(case_id: int, events: Iterable[CaseEvent]) -> CaseHistoryPublic:
    return CaseHistoryPublic(case=case_id, events=[event_document(e) for e in events])


def report_document(case_id: int, markdown: str) -> CaseReportPublic:
    return CaseReportPublic(case=case_id, format="markdown", report=markdown)

