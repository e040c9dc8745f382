"""Attach a file to a case, list a case's files, read one: keyword-only services in the
caller's transaction, so a refused upload writes nothing (docs/architecture.md, "Attachments").

Who may do what:
- the quality lead and manager attach, list and read every file of every case;
- a viewer lists and reads, and attaches nothing;
- a supplier's people attach to their own supplier's cases (always shared: it is their
  evidence) and list and read only the shared files of those cases; another supplier's case
  and an internal file answer exactly as ones that do not exist;
- the service desk's roles and customers see no evidence files.

Every upload is a fact in the case's hash-chained audit trail (file name, sha256, size), so a
file swapped or removed later no longer matches its event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.accounts.scope import visible_case
from capaflow.accounts.users import CASE_READER_ROLES
from capaflow.attachments.sniff import media_type, safe_name
from capaflow.casework.engine import record_fact
from capaflow.config.attachments import AttachmentsSection
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, NotFound
from capaflow.models import Attachment, CaseEvent, Submission

SHARED = "shared"
INTERNAL = "internal"
# The fact in the case's audit trail (not a trigger of any lifecycle: casework.record_fact).
ATTACHED = "attach"


class NotPermitted(Exception):
    """The principal's role may not do this (the interfaces answer 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLarge(BadInput):
    """The file is larger than `[attachments] max_bytes` (HTTP 413; exit 2 like bad input)."""


@dataclass(frozen=True)
class Upload:
    """What an interface read of the uploaded file: at most max_bytes + 1 bytes of it, so a
    file too large is refused without reading all of it."""

    file_name: str
    content: bytes


def attachment_not_found(attachment_id: int) -> NotFound:
    return NotFound(f"file {attachment_id} does not exist", field="attachment")


def _may_read(principal: Principal) -> None:
    if principal.role not in CASE_READER_ROLES:
        raise NotPermitted(f"the role {principal.role.replace('_', ' ')} sees no evidence files")


def check_upload(upload: Upload, limits: AttachmentsSection) -> tuple[str, str]:
    """The safe name and the detected media type, or a refusal naming the field `file`."""
    name = safe_name(upload.file_name)
    if not upload.content:
        raise BadInput(f"file: '{name}' is empty", field="file")
    if len(upload.content) > limits.max_bytes:
        raise TooLarge(f"file: '{name}' is larger than the {limits.max_bytes:,} bytes "
                       "allowed", field="file")
    kind = media_type(upload.content, name)
    if kind not in limits.allowed:
        raise BadInput(f"file: '{name}' is {kind}, which is not accepted here (accepted: "
                       f"{', '.join(limits.allowed)})", field="file")
    return name, kind


def attach(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    upload: Upload,
    shared: bool,
    now: datetime,
    limits: AttachmentsSection,
    policy: DeadlinePolicy,
    submission_id: int | None = None,
) -> Attachment:
    """Keep the file on the case and record the fact in its audit trail; a supplier's upload
    is always shared and marked as the supplier's."""
    if principal.is_supplier:
        visible_case(session, principal, case_id)
        shared = True
    else:
        if not principal.can_write:
            raise NotPermitted(f"the role {principal.role.replace('_', ' ')} may not attach "
                               "files")
        visible_case(session, principal, case_id)
    name, kind = check_upload(upload, limits)
    if submission_id is not None:
        submission = session.get(Submission, submission_id)
        if submission is None or submission.case_id != case_id:
            raise NotFound(f"submission {submission_id} does not exist on case {case_id}",
                           field="submission")
    row = Attachment(
        case_id=case_id, submission_id=submission_id, file_name=name, media_type=kind,
        size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
        visibility=SHARED if shared else INTERNAL, uploaded_by=principal.actor[:100],
        by_supplier=principal.is_supplier, uploaded_at=now, content=upload.content,
    )
    session.add(row)
    session.flush()
    record_fact(
        session, case_id=case_id, action=ATTACHED,
        fields={"attachment": row.id, "file_name": name, "sha256": row.sha256,
                "size": row.size, "media_type": kind, "visibility": row.visibility},
        note=None, actor=principal.actor, now=now, policy=policy, tell_owner=False,
    )
    return row


def case_files(session: Session, *, principal: Principal, case_id: int) -> list[Attachment]:
    """The case's files, oldest first, without their bytes; a supplier only the shared ones
    of its own cases."""
    _may_read(principal)
    visible_case(session, principal, case_id)
    query = (select(Attachment).options(defer(Attachment.content))  # type: ignore[arg-type]
             .where(Attachment.case_id == case_id))
    if principal.is_supplier:
        query = query.where(Attachment.visibility == SHARED)
    return list(session.exec(query.order_by(col(Attachment.uploaded_at), col(Attachment.id))))


def read_file(session: Session, *, principal: Principal, attachment_id: int) -> Attachment:
    """One file with its bytes. For a supplier, another supplier's file and an internal one
    answer exactly as one that does not exist."""
    _may_read(principal)
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise attachment_not_found(attachment_id)
    if principal.is_supplier:
        try:
            visible_case(session, principal, row.case_id)
        except NotFound:
            raise attachment_not_found(attachment_id) from None
        if row.visibility != SHARED:
            raise attachment_not_found(attachment_id)
    return row


def evidence(session: Session, *, case_id: int, for_supplier: int | None = None
             ) -> list[Attachment]:
    """The files the 8D report lists as evidence (no access check: the report's caller has
    made it); for a supplier's copy of the report, the shared ones only."""
    query = (select(Attachment).options(defer(Attachment.content))  # type: ignore[arg-type]
             .where(Attachment.case_id == case_id))
    if for_supplier is not None:
        query = query.where(Attachment.visibility == SHARED)
    return list(session.exec(query.order_by(col(Attachment.uploaded_at), col(Attachment.id))))


def seen_events(principal: Principal, events: list[CaseEvent]) -> list[CaseEvent]:
    """A case's events as the principal may see them: a supplier's people not the events of
    internal files (their names and digests stay with the quality team)."""
    if not principal.is_supplier:
        return events
    return [e for e in events
            if not (e.action == ATTACHED and e.fields.get("visibility") == INTERNAL)]
