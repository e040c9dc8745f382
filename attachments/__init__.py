"""Evidence files on cases: attaching (size and kind checked, the kind sniffed from the
bytes), listing and reading them under the access rules, each upload a fact in the case's
audit trail (docs/architecture.md, "Attachments")."""

from capaflow.attachments.service import (
    ATTACHED,
    INTERNAL,
    SHARED,
    NotPermitted,
    TooLarge,
    Upload,
    attach,
    attachment_not_found,
    case_files,
    check_upload,
    evidence,
    read_file,
    seen_events,
)
from capaflow.attachments.sniff import (
    INLINE_TYPES,
    OCTET_STREAM,
    kind_text,
    media_type,
    safe_name,
    size_text,
)

__all__ = [
    "ATTACHED",
    "INLINE_TYPES",
    "INTERNAL",
    "OCTET_STREAM",
    "SHARED",
    "NotPermitted",
    "TooLarge",
    "Upload",
    "attach",
    "attachment_not_found",
    "case_files",
    "check_upload",
    "evidence",
    "kind_text",
    "media_type",
    "read_file",
    "safe_name",
    "seen_events",
    "size_text",
]
