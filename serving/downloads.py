"""An evidence file sent back to a browser, for the API and the pages alike, so that no
upload ever runs as a page of this site (docs/architecture.md, "Attachments").

- Only the kinds a browser shows without running anything (PNG, JPEG, GIF, PDF) may open in
  the browser (`inline`); every other kind is a download (`attachment`).
- The media type sent is the one sniffed at upload, never the browser's claim, and a kind
  outside the known ones goes as application/octet-stream.
- `X-Content-Type-Options: nosniff` stops the browser from guessing HTML in a text file, and
  `Content-Security-Policy: sandbox` puts whatever it shows in a unique origin without script.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

from capaflow.attachments import INLINE_TYPES, OCTET_STREAM
from capaflow.config.attachments import KNOWN_TYPES
from capaflow.models import Attachment

_TEXT = frozenset({"text/plain", "text/csv"})


def content_disposition(kind: str, file_name: str) -> str:
    how = "inline" if kind in INLINE_TYPES else "attachment"
    # The plain filename for old clients: ASCII only, no quote or backslash to break out of it.
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in file_name)
    return f"{how}; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def download_response(row: Attachment) -> Response:
    kind = row.media_type if row.media_type in KNOWN_TYPES else OCTET_STREAM
    media = f"{kind}; charset=utf-8" if kind in _TEXT else kind
    return Response(
        content=row.content,
        media_type=media,
        headers={
            "Content-Disposition": content_disposition(kind, row.file_name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            # Evidence of a supplier's case: no shared cache may keep a copy.
            "Cache-Control": "private, no-store",
        },
    )
