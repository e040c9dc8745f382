"""The attachment rules, on SQLite and PostgreSQL: the kind is sniffed from the bytes, names
are sanitised, limits refuse with the field `file` and nothing written, every upload is an
audit-chain fact, and who may read what (docs/architecture.md, "Attachments")."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.attachments import (
    NotPermitted,
    TooLarge,
    Upload,
    attach,
    case_files,
    media_type,
    read_file,
    safe_name,
)
from capaflow.audittrail.chain import Verification, verify
from capaflow.config.attachments import DOCX, AttachmentsSection
from capaflow.errors import BadInput, NotFound
from capaflow.models import Attachment, CaseEvent
from capaflow.models.queries import case_events
from tests.attachments.conftest import LIMITS, PDF, PNG
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.conftest import LEAD, VIEWER, Desk


def _attach(desk: Desk, who: Principal, code: str, name: str, content: bytes, *,
            shared: bool = True, limits: AttachmentsSection = LIMITS) -> Attachment:
    def work(session: Session) -> Attachment:
        row = attach(session, principal=who, case_id=desk.cases[code],
                     upload=Upload(name, content), shared=shared, now=T0, limits=limits,
                     policy=desk.policy)
        session.expunge(row)
        return row
    return desk.run(work)


def _read(desk: Desk, who: Principal, attachment_id: int | None) -> Attachment:
    assert attachment_id is not None
    return desk.run(lambda s: read_file(s, principal=who, attachment_id=attachment_id))


def test_the_kind_is_read_from_the_bytes_not_the_name() -> None:
    assert media_type(PNG, "report.pdf") == "image/png"
    assert media_type(PDF, "photo.png") == "application/pdf"
    assert media_type(b"\xff\xd8\xff\xe0rest", "x") == "image/jpeg"
    assert media_type(b"GIF89a....", "x") == "image/gif"
    assert media_type(b"PK\x03\x04rest", "8D.docx") == DOCX
    assert media_type(b"PK\x03\x04rest", "8D.zip") == "application/zip"
    assert media_type(b"lot;sorted;rejected\n1;200;3\n", "sorting.csv") == "text/csv"
    assert media_type("Messbericht: Ø 12,01 mm".encode(), "m.txt") == "text/plain"
    assert media_type(b"<!DOCTYPE html><script>alert(1)</script>", "photo.png") == "text/html"
    assert media_type(b"<?xml version='1.0'?><svg onload='x'/>", "a.txt") == "image/svg+xml"
    assert media_type(b"\x00\x01\x02binary", "a.txt") == "application/octet-stream"


def test_names_lose_their_path_parts_and_only_dots_are_refused() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\qe\\8D report.pdf") == "8D report.pdf"
    assert safe_name('a"b\r\n.png') == "a_b__.png"
    for bad in ("..", "/", "../..", " . ", "", "\\.\\"):
        with pytest.raises(BadInput) as refused:
            safe_name(bad)
        assert refused.value.field == "file"


def test_an_upload_is_kept_with_its_digest_and_chained_in_the_audit_trail(desk: Desk) -> None:
    row = _attach(desk, LEAD, "ACME", "../photos/crack.png", PNG, shared=False)
    assert (row.file_name, row.media_type, row.size) == ("crack.png", "image/png", len(PNG))
    assert row.sha256 == hashlib.sha256(PNG).hexdigest()
    assert (row.visibility, row.uploaded_by, row.by_supplier, row.uploaded_at) == (
        "internal", "lead", False, T0)

    def trail(session: Session) -> tuple[CaseEvent, Verification]:
        events = case_events(session, desk.cases["ACME"])
        return events[-1], verify(session)
    event, verification = desk.run(trail)
    assert isinstance(event, CaseEvent)
    assert event.action == "attach" and event.actor == "lead"
    assert event.fields["sha256"] == row.sha256 and event.fields["size"] == len(PNG)
    assert event.fields["file_name"] == "crack.png"
    assert verification.ok


def test_a_supplier_upload_is_shared_and_marked_as_the_suppliers(desk: Desk) -> None:
    row = _attach(desk, desk.suppliers["ACME"], "ACME", "8D.pdf", PDF, shared=False)
    assert row.visibility == "shared" and row.by_supplier
    assert row.uploaded_by == "supplier:ACME"


@pytest.mark.parametrize(("name", "content", "why"), [
    ("empty.png", b"", "empty"),
    ("page.html", b"<html><body onload=alert(1)></body></html>", "text/html"),
    ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/octet-stream"),
    ("..", PNG, "not a file name"),
])
def test_refused_uploads_name_the_file_and_write_nothing(
    desk: Desk, name: str, content: bytes, why: str
) -> None:
    before = snapshot(desk.url)
    with pytest.raises(BadInput) as refused:
        _attach(desk, LEAD, "ACME", name, content)
    assert refused.value.field == "file" and why in refused.value.message
    assert snapshot(desk.url) == before


def test_a_file_over_the_limit_is_refused_as_too_large(desk: Desk) -> None:
    small = AttachmentsSection(max_bytes=len(PNG) - 1)
    before = snapshot(desk.url)
    with pytest.raises(TooLarge) as refused:
        _attach(desk, LEAD, "ACME", "crack.png", PNG, limits=small)
    assert refused.value.field == "file"
    assert snapshot(desk.url) == before


def test_a_viewer_reads_but_never_attaches(desk: Desk) -> None:
    _attach(desk, LEAD, "ACME", "crack.png", PNG)
    before = snapshot(desk.url)
    with pytest.raises(NotPermitted):
        _attach(desk, VIEWER, "ACME", "more.png", PNG)
    assert snapshot(desk.url) == before
    files = desk.run(lambda s: case_files(s, principal=VIEWER, case_id=desk.cases["ACME"]))
    assert [f.file_name for f in files] == ["crack.png"]


def test_a_supplier_sees_only_shared_files_of_its_own_cases(desk: Desk) -> None:
    acme, beta = desk.suppliers["ACME"], desk.suppliers["BETA"]
    shared = _attach(desk, LEAD, "ACME", "shared.png", PNG, shared=True)
    internal = _attach(desk, LEAD, "ACME", "internal.png", PNG, shared=False)
    files = desk.run(lambda s: case_files(s, principal=acme, case_id=desk.cases["ACME"]))
    assert [f.file_name for f in files] == ["shared.png"]
    assert _read(desk, acme, shared.id).content == PNG
    # The internal file and the other supplier's answer as files that do not exist.
    for who, attachment_id in ((acme, internal.id), (beta, shared.id), (beta, 10_000)):
        with pytest.raises(NotFound) as missing:
            _read(desk, who, attachment_id)
        assert missing.value.message == f"file {attachment_id} does not exist"
    with pytest.raises(NotFound):
        desk.run(lambda s: case_files(s, principal=beta, case_id=desk.cases["ACME"]))
    before = snapshot(desk.url)
    with pytest.raises(NotFound):
        _attach(desk, beta, "ACME", "sneak.png", PNG)
    assert snapshot(desk.url) == before


def test_service_roles_see_no_evidence(desk: Desk) -> None:
    agent = Principal(name="sam", role="service_agent", user_id=9)
    _attach(desk, LEAD, "ACME", "crack.png", PNG)
    with pytest.raises(NotPermitted):
        desk.run(lambda s: case_files(s, principal=agent, case_id=desk.cases["ACME"]))


def test_the_configured_kinds_are_only_ones_the_sniffing_knows() -> None:
    with pytest.raises(ValueError, match="text/html"):
        AttachmentsSection(allowed=("text/html",))
    with pytest.raises(ValueError):
        AttachmentsSection(max_bytes=0)
