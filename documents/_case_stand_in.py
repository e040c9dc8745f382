"""Stand-in for the case and deadline documents of `documents/cases.py`, which is being written
beside this branch: only what the defect and audit documents embed, with the fields and values
of `capa case show --json`. When both branches meet, the imports of this module point to
`documents.cases` and this file goes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from capaflow.deadlines.status import is_overdue
from capaflow.documents.base import Public, Timestamp
from capaflow.models import Case, Deadline
from capaflow.statemachines import LIFECYCLES


class DeadlinePublic(Public):
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


class CasePublic(Public):
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


def deadline_document(deadline: Deadline, now: datetime) -> DeadlinePublic:
    assert deadline.id is not None  # shown once stored
    return DeadlinePublic(
        id=deadline.id, key=deadline.key, title=deadline.title, sequence=deadline.sequence,
        status=deadline.status, overdue=is_overdue(deadline, now),
        started_at=deadline.started_at, due_at=deadline.due_at, closed_at=deadline.closed_at,
        met_on_time=deadline.met_on_time, met_by=deadline.met_by,
    )


def case_document(case: Case, supplier: str | None) -> CasePublic:
    """The case; `supplier` is its supplier's code."""
    assert case.id is not None  # shown once stored
    lifecycle = LIFECYCLES[case.lifecycle]
    return CasePublic(
        id=case.id, lifecycle=case.lifecycle, state=case.state,
        discipline=lifecycle.disciplines.get(case.state),
        allowed_triggers=list(lifecycle.allowed(case.state)), version=case.version,
        title=case.title, supplier=supplier, part=case.part, defect_code=case.defect_code,
        severity=case.severity, complexity=case.complexity, owner=case.owner, cycle=case.cycle,
        reopen_count=case.reopen_count, occurrences=case.occurrences, content=case.content,
        opened_at=case.opened_at, updated_at=case.updated_at, closed_at=case.closed_at,
    )
