"""What a file is, from its first bytes and never from what the browser claims
(docs/architecture.md, "Attachments"), and a file name made safe to keep and to send back.

A browser names the media type from the file's extension, and a hostile upload names it
whatever it likes; the magic numbers of the kinds quality evidence comes in are fixed, so they
decide. Office documents are ZIP containers: the extension tells a Word file from an Excel one
only after the bytes have said ZIP. Text is text when it decodes as UTF-8 without control
characters; text that opens like HTML or SVG is named so, and no site may allow those.
"""

from __future__ import annotations

import re
import unicodedata

from capaflow.config.attachments import DOCX, PPTX, XLSX
from capaflow.errors import BadInput

OCTET_STREAM = "application/octet-stream"
HTML = "text/html"
SVG = "image/svg+xml"
# Shown inline by the download (a browser renders them without running script); everything
# else is always a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "application/pdf"})
_OFFICE = {".docx": DOCX, ".xlsx": XLSX, ".pptx": PPTX}
_MARKUP = (b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script", b"<body", b"<head",
           b"<iframe")
MAX_NAME = 200
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"<>|?*:;]')


def media_type(content: bytes, file_name: str) -> str:
    """The media type the content shows itself to be; application/octet-stream if unknown."""
    head = content[:512]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    lower_name = file_name.lower()
    if head.startswith(b"PK\x03\x04"):
        for ending, kind in _OFFICE.items():
            if lower_name.endswith(ending):
                return kind
        return "application/zip"
    return _text_type(content, lower_name)


def _text_type(content: bytes, lower_name: str) -> str:
    sample = content[:4096]
    if sample.startswith(b"\xef\xbb\xbf"):
        sample = sample[3:]
    try:
        # A multi-byte character cut at the sample's end is not a reason to call it binary.
        text = sample.decode("utf-8", errors="strict") if len(content) <= 4096 else \
            sample.decode("utf-8", errors="ignore")
    except UnicodeDecodeError:
        return OCTET_STREAM
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return OCTET_STREAM
    opening = text.lstrip().lower().encode()
    if opening.startswith(_MARKUP) or b"<svg" in opening[:1024] or b"<html" in opening[:1024]:
        return SVG if b"<svg" in opening[:1024] else HTML
    return "text/csv" if lower_name.endswith(".csv") else "text/plain"


def safe_name(given: str) -> str:
    """The name without its path parts and characters that break a header or a file system;
    refused (field `file`) when nothing is left but dots and slashes."""
    name = unicodedata.normalize("NFC", given or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    if not name or not name.strip("._ -"):
        raise BadInput(f"file: '{given[:80]}' is not a file name (a name of only dots, "
                       "slashes or spaces)", field="file")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 \
            else name[:MAX_NAME]
    return name


def size_text(size: int) -> str:
    """A file's size as people read it: 812 bytes, 45.3 KB, 2.1 MB (1 KB = 1,024 bytes)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


_KIND_WORDS = {
    "image/png": "PNG image", "image/jpeg": "JPEG image", "image/gif": "GIF image",
    "application/pdf": "PDF document", DOCX: "Word document", XLSX: "Excel workbook",
    PPTX: "PowerPoint slides", "application/zip": "ZIP archive", "text/plain": "text",
    "text/csv": "CSV table",
}


def kind_text(kind: str) -> str:
    """A media type as people name the kind of file."""
    return _KIND_WORDS.get(kind, "file")
