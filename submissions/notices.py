"""The outbox rows a submission queues: one to the quality team when it arrives, one to the
supplier when it is sent back. Queued in the caller's transaction (notifications.outbox),
each with a dedupe key of its own, so a replayed request can never queue it twice."""

from __future__ import annotations

from datetime import datetime

from capaflow.calendars import isoformat
from capaflow.models import Case, Notification, Submission, Supplier

# How the quality lead says each step, in a subject line.
STEP_NAMES = {
    "contain": "containment",
    "find_root_cause": "root cause",
    "apply_short_term_fix": "short-term fix",
    "implement_countermeasure": "countermeasure",
    # The written cause report a grade drop asks for (statemachines.cause_report).
    "submit": "cause report",
    # A supplier's answer to an audit finding it owes (submissions.findings).
    "answer_finding": "audit finding answer",
}
_PREVIEW = 500  # characters of each field in a notice; the whole text is on the page


def _who(supplier: Supplier | None) -> str:
    return supplier.code if supplier is not None else "the supplier"


def _preview(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def submitted(
    submission: Submission, case: Case, supplier: Supplier | None, now: datetime
) -> Notification:
    """To the case owner (the quality lead stands in for a case without one): review it."""
    what = STEP_NAMES.get(submission.trigger, submission.trigger)
    headline = f"{_who(supplier)} submitted {what} for case {case.id} — review"
    lines = [
        headline,
        f"Case #{case.id}: {case.title}",
        f"Submitted by {submission.submitted_by} at {isoformat(submission.submitted_at)}",
        *(f"{name}: {_preview(str(value))}" for name, value in submission.fields.items()),
    ]
    if submission.note:
        lines.append(f"Note: {_preview(submission.note)}")
    lines.append(f"Accept or reject it: Submissions → #{submission.id}")
    return Notification(
        dedupe_key=f"submission:{submission.id}:submitted",
        case_id=case.id,
        kind="submission",
        audience=["owner"],
        subject=f"[capaflow] {headline}"[:300],
        body="\n".join(lines),
        extra={"submission_id": submission.id},
        created_at=now,
        next_attempt_at=now,
    )


def rejected(submission: Submission, case: Case, now: datetime) -> Notification:
    """To the supplier's contact: what was sent back and why (dispatch adds its portal link)."""
    what = STEP_NAMES.get(submission.trigger, submission.trigger)
    headline = f"Your {what} for case {case.id} was not accepted"
    lines = [
        headline,
        f"Case #{case.id}: {case.title}",
        f"Reason: {submission.reason}",
        f"Decided by {submission.decided_by} at "
        f"{isoformat(submission.decided_at) if submission.decided_at else '-'}",
        f"Please submit the {what} again.",
    ]
    return Notification(
        dedupe_key=f"submission:{submission.id}:rejected",
        case_id=case.id,
        kind="submission_rejected",
        audience=["supplier_contact"],
        subject=f"[capaflow] {headline}"[:300],
        body="\n".join(lines),
        extra={"submission_id": submission.id},
        created_at=now,
        next_attempt_at=now,
    )
