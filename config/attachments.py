"""`[attachments]` of the policies: how large an evidence file may be and which kinds a site
accepts (docs/architecture.md, "Attachments").

The kinds are media types that attachments.sniff recognises from a file's first bytes; a
site may narrow the list, never add a kind the sniffing cannot tell (HTML and SVG above all:
a page that runs script in the site's origin is not evidence).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from capaflow.config.sections import Section, refuse

MIB = 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Every kind the sniffing recognises, in the order the README lists them.
KNOWN_TYPES = (
    "image/png", "image/jpeg", "image/gif", "application/pdf", DOCX, XLSX, PPTX,
    "application/zip", "text/plain", "text/csv",
)
DEFAULT_TYPES = tuple(t for t in KNOWN_TYPES if t != "application/zip")


class AttachmentsSection(Section):
    # 1 byte to 100 MiB: the bytes travel in one request and one database row.
    max_bytes: Annotated[int, Field(strict=True, ge=1, le=100 * MIB)] = 10 * MIB
    allowed: tuple[str, ...] = DEFAULT_TYPES

    @field_validator("allowed")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise refuse("name at least one kind of file, or no upload is ever accepted")
        for kind in value:
            if kind not in KNOWN_TYPES:
                raise refuse(f"'{kind}' is not a kind of file capaflow recognises "
                             f"({', '.join(KNOWN_TYPES)})")
        return value
