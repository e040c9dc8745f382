"""`capa case comment` and the conversation in `capa case show` (docs/architecture.md, "The
supplier conversation"): the operator writes as the quality team; a refusal names its field,
exits by the contract and writes nothing."""

from __future__ import annotations

from tests.cli.support import H, add_supplier, ok, open_8d, refused, show
from tests.conftest import T0
from tests.helpers import capa


def test_case_comment_writes_shared_and_internal_comments_that_case_show_lists(
    db_url: str,
) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")
    case = open_8d(db_url, "--supplier", "ACME")
    shared = ok(db_url, "case", "comment", str(case), "--body", "How many in transit?",
                "--actor", "lena", now=T0 + H)
    assert shared["author"] == "lena" and shared["author_kind"] == "lead"
    assert shared["internal"] is False
    note = ok(db_url, "case", "comment", str(case), "--body", "Late again.", "--internal",
              "--by", "marco", now=T0 + 2 * H)
    assert note["internal"] is True

    document = show(db_url, case, now=T0 + 3 * H)
    assert [(c["author"], c["body"], c["internal"]) for c in document["comments"]] == [
        ("lena", "How many in transit?", False), ("marco", "Late again.", True)]
    assert [e["action"] for e in document["events"]][-2:] == ["comment", "comment"]
    text = capa("case", "show", str(case), "--db", db_url, "--now", (T0 + 3 * H).isoformat())
    assert text.exit_code == 0 and "How many in transit?" in text.output
    assert "internal" in text.output


def test_case_comment_refuses_a_blank_or_too_long_body_and_an_unknown_case(
    db_url: str,
) -> None:
    case = open_8d(db_url)
    refused(db_url, "case", "comment", str(case), "--body", "   ", exit_code=2, field="body")
    refused(db_url, "case", "comment", str(case), "--body", "x" * 5001, exit_code=2,
            field="body", says=["5000"])
    refused(db_url, "case", "comment", "999", "--body", "hello", exit_code=3, field="case")
