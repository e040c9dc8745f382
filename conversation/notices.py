"""The outbox row a comment queues: a supplier's comment to the case owner (the quality lead
stands in for a case without one), a quality lead's shared comment to the supplier's quality
contact. An internal note queues nothing: nobody outside the team may read it. One dedupe key
per comment, so a replayed request never queues it twice."""

from __future__ import annotations

from datetime import datetime

from capaflow.models import Case, CaseComment, Notification, Supplier

_PREVIEW = 1000  # characters of the comment in a notice; the whole thread is on the page


def _preview(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def from_supplier(
    comment: CaseComment, case: Case, supplier: Supplier | None, now: datetime
) -> Notification:
    who = supplier.code if supplier is not None else "the supplier"
    headline = f"{who} wrote on case {case.id}"
    return Notification(
        dedupe_key=f"comment:{comment.id}",
        case_id=case.id,
        kind="comment",
        audience=["owner"],
        subject=f"[capaflow] {headline}"[:300],
        body="\n".join([
            headline, f"Case #{case.id}: {case.title}", f"From {comment.author}:",
            _preview(comment.body), f"Answer on the case page: Cases → #{case.id}",
        ]),
        extra={"comment_id": comment.id},
        created_at=now,
        next_attempt_at=now,
    )


def to_supplier(comment: CaseComment, case: Case, now: datetime) -> Notification:
    headline = f"The quality team wrote on case {case.id}"
    return Notification(
        dedupe_key=f"comment:{comment.id}",
        case_id=case.id,
        kind="comment",
        audience=["supplier_contact"],
        subject=f"[capaflow] {headline}"[:300],
        body="\n".join([
            headline, f"Case #{case.id}: {case.title}", f"From {comment.author}:",
            _preview(comment.body), "Answer in your portal, on the case's page.",
        ]),
        extra={"comment_id": comment.id},
        created_at=now,
        next_attempt_at=now,
    )
