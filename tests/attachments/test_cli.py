"""`capa case attach`, `capa case files`, `capa case file-get`: the contract's exit codes,
the error document naming the field, and nothing written on a refusal (docs/architecture.md,
"Attachments")."""

from __future__ import annotations

from pathlib import Path

from tests.attachments.conftest import PDF, PNG
from tests.cli.support import add_supplier, ok, open_8d, refused


def test_attach_list_and_get_a_file_back_unchanged(db_url: str, tmp_path: Path) -> None:
    add_supplier(db_url)
    case_id = open_8d(db_url, "--supplier", "ACME")
    photo = tmp_path / "crack.png"
    photo.write_bytes(PNG)
    report = tmp_path / "measurement.pdf"
    report.write_bytes(PDF)
    first = ok(db_url, "case", "attach", str(case_id), str(photo), "--by", "lena")
    assert (first["file_name"], first["media_type"], first["visibility"]) == (
        "crack.png", "image/png", "shared")
    assert first["uploaded_by"] == "lena"
    second = ok(db_url, "case", "attach", str(case_id), str(report), "--internal")
    assert second["visibility"] == "internal"
    listed = ok(db_url, "case", "files", str(case_id))
    assert [a["file_name"] for a in listed["attachments"]] == ["crack.png", "measurement.pdf"]
    history = ok(db_url, "case", "history", str(case_id))
    attached = [e for e in history["events"] if e["action"] == "attach"]
    assert [e["fields"]["sha256"] for e in attached] == [first["sha256"], second["sha256"]]
    out = tmp_path / "copy.png"
    ok(db_url, "case", "file-get", str(case_id), str(first["id"]), "--out", str(out))
    assert out.read_bytes() == PNG


def test_refused_attachments_keep_the_contract(db_url: str, tmp_path: Path) -> None:
    add_supplier(db_url)
    case_id = str(open_8d(db_url, "--supplier", "ACME"))
    page = tmp_path / "page.html"
    page.write_bytes(b"<!doctype html><script>alert(1)</script>")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    photo = tmp_path / "crack.png"
    photo.write_bytes(PNG)
    refused(db_url, "case", "attach", case_id, str(page), exit_code=2, field="file",
            says=["text/html"])
    refused(db_url, "case", "attach", case_id, str(empty), exit_code=2, field="file",
            says=["empty"])
    refused(db_url, "case", "attach", case_id, str(tmp_path / "missing.png"), exit_code=2,
            field="file")
    refused(db_url, "case", "attach", "999", str(photo), exit_code=3, field="case")
    refused(db_url, "case", "files", "999", exit_code=3, field="case")
    refused(db_url, "case", "file-get", case_id, "5", "--out", str(tmp_path / "x"),
            exit_code=3, field="attachment")
    assert not (tmp_path / "x").exists()
