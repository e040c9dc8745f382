"""Evidence files as `capa case files --json` and /api/v1/cases/{id}/attachments show them:
what the file is and who brought it when, never its bytes (those are downloaded)."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp, from_row
from capaflow.models import Attachment


class AttachmentPublic(Public):
    """One file on a case: its sanitised name, the kind detected from its bytes, size and
    sha256 (as chained in the case's audit trail), who uploaded it and when, and whether the
    supplier sees it (`shared`) or only the quality team (`internal`)."""

    id: int
    case: int
    submission: int | None
    file_name: str
    media_type: str
    size: int
    sha256: str
    visibility: str
    uploaded_by: str
    by_supplier: bool
    uploaded_at: Timestamp
    download: str  # the API path that downloads it


class AttachmentListPublic(Public):
    case: int
    attachments: list[AttachmentPublic]


def attachment_document(row: Attachment) -> AttachmentPublic:
    return from_row(AttachmentPublic, row, case=row.case_id, submission=row.submission_id,
                    download=f"/api/v1/attachments/{row.id}")


def attachment_list_document(case_id: int, rows: list[Attachment]) -> AttachmentListPublic:
    return AttachmentListPublic(case=case_id, attachments=[attachment_document(r) for r in rows])
