"""Requests for more time on an obligation, as `capa extension ... --json` and
/api/v1/extensions show them (docs/architecture.md, "Edits and extensions")."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp, from_row
from capaflow.models import Deadline, DeadlineExtension


class ExtensionPublic(Public):
    """One request (or the lead's direct extension, status "granted") and its decision."""

    id: int
    case: int
    deadline: int
    step: str
    status: str  # open, approved, refused, granted
    requested_by: str
    requested_at: Timestamp
    reason: str
    due_before: Timestamp
    proposed_due: Timestamp
    due_now: Timestamp | None
    decided_by: str | None
    decided_at: Timestamp | None
    decision_reason: str | None


class ExtensionListPublic(Public):
    extensions: list[ExtensionPublic]


def extension_document(extension: DeadlineExtension, deadline: Deadline | None) -> ExtensionPublic:
    """The request, with the obligation's key and its due time as it stands now."""
    return from_row(
        ExtensionPublic, extension, case=extension.case_id, deadline=extension.deadline_id,
        step=deadline.key if deadline is not None else "",
        due_now=deadline.due_at if deadline is not None else None,
    )
