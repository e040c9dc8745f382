"""Supplier submissions as the API shows them: /cases/{id}/submissions and /submissions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from capaflow.deadlines.schedule import DeadlineChanges
from capaflow.documents.base import Public, Timestamp, from_row
from capaflow.documents.cases import StepPublic, step_document
from capaflow.models import Case, CaseEvent, Submission, Supplier


class SubmissionPublic(Public):
    """What a supplier submitted for its case's step, and the quality team's decision."""

    id: int
    case: int
    trigger: str
    fields: dict[str, Any]
    note: str | None
    submitted_by: str
    submitted_at: Timestamp
    status: str
    decided_by: str | None
    decided_at: Timestamp | None
    reason: str | None
    case_version: int


class AcceptedPublic(Public):
    """POST /submissions/{id}/accept: the submission, and the step it took on the case."""

    submission: SubmissionPublic
    step: StepPublic


def submission_document(submission: Submission) -> SubmissionPublic:
    return from_row(SubmissionPublic, submission, case=submission.case_id)


def accepted_document(
    submission: Submission,
    case: Case,
    event: CaseEvent,
    changes: DeadlineChanges,
    supplier: Supplier | None,
    now: datetime,
) -> AcceptedPublic:
    """An accepted submission with the step it took (casework.engine.StepResult's parts)."""
    return AcceptedPublic(
        submission=submission_document(submission),
        step=step_document(case, event, changes, supplier, now),
    )
