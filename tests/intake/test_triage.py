"""The defect triage (docs/architecture.md, "Defect triage"): the nonconformance list shows each
defect's class and the rule's reason; reclassify, merge and close are all-or-nothing, refuse a
bad selection naming the field with nothing written, and cancel a case only signed. Through
`capa defect ...` in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from capaflow.cli.app import app
from capaflow.intake import COLUMNS
from tests.cli.support import H, add_supplier, iso, ok, refused, show
from tests.conftest import T0
from tests.helpers import beside_guesses, capa, runner, snapshot

PASSWORD = "lena-secret-2026"


def _setup(db_url: str) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")
    add_supplier(db_url, "BOLT", "--contact", "json://127.0.0.1:9/bolt")
    ok(db_url, "user", "add", "lena", "--role", "quality_lead", "--password", PASSWORD)


def _record(db_url: str, *, supplier: str = "ACME", code: str = "CRACK", qty: int = 1,
            now: datetime = T0, lot_size: int | None = None) -> dict[str, Any]:
    extra = ["--lot-size", str(lot_size)] if lot_size else []
    document: dict[str, Any] = ok(
        db_url, "defect", "record", "--supplier", supplier, "--part", "HSG-100",
        "--defect-code", code, "--qty", str(qty), *extra, now=now)
    return document


def _signed(db_url: str, *args: str, password: str = PASSWORD) -> Any:
    """`capa ARGS --by lena --password-stdin`, the password on stdin."""
    return runner.invoke(
        app, [*args, "--by", "lena", "--password-stdin", "--db", db_url, "--now", iso(T0 + 2 * H)],
        input=f"{password}\n", catch_exceptions=False)


def _listed(db_url: str, *extra: str) -> dict[int, dict[str, Any]]:
    document = ok(db_url, "defect", "list", *extra, now=T0 + 3 * H)
    return {d["id"]: d for d in document["defects"]}


def test_the_list_shows_each_defects_class_and_the_rules_reason(db_url: str) -> None:
    _setup(db_url)
    batch = _record(db_url, qty=12)
    sporadic = _record(db_url, code="BURR", qty=2, lot_size=1000)
    listed = _listed(db_url)
    first, second = listed[batch["defect"]["id"]], listed[sporadic["defect"]["id"]]
    assert (first["classification"], first["classification_source"]) == ("batch", "rule")
    assert first["reason"] == "by the rule: 12 defective pieces, at least 10"
    assert first["case_id"] == batch["case_id"]
    assert second["classification"] == "sporadic"
    assert "2 of 1000 defective" in second["reason"] and second["lot_size"] == 1000
    # Filters: the class, the supplier, no case.
    assert set(_listed(db_url, "--class", "sporadic")) == {second["id"]}
    assert _listed(db_url, "--supplier", "BOLT") == {}
    assert _listed(db_url, "--unlinked") == {}
    page = ok(db_url, "defect", "list", "--per-page", "1", "--page", "2", now=T0 + 3 * H)
    assert (page["total"], [d["id"] for d in page["defects"]]) == (2, [first["id"]])
    refused(db_url, "defect", "list", "--class", "bad", exit_code=2, field="as")
    refused(db_url, "defect", "list", "--state", "gone", exit_code=2, field="state")


def test_reclassify_sporadic_to_batch_classifies_its_case_and_is_on_the_trail(
    db_url: str,
) -> None:
    _setup(db_url)
    recorded = _record(db_url, qty=2)
    defect_id, case_id = recorded["defect"]["id"], recorded["case_id"]
    done = ok(db_url, "defect", "reclassify", str(defect_id), "--as", "batch", "--reason",
              "the whole lot H-17 is suspect", "--by", "lena", now=T0 + H)
    assert (done["action"], done["case_id"]) == ("defect_reclassified", case_id)
    line = _listed(db_url)[defect_id]
    assert (line["classification"], line["classification_source"]) == ("batch", "override")
    assert line["reason"] == "reclassified by the quality lead: the whole lot H-17 is suspect"
    case = show(db_url, case_id, now=T0 + H)
    assert case["classification"] == "batch"
    verified = ok(db_url, "audit", "verify", now=T0 + H)
    assert verified["ok"] and verified["decisions"] == 1


def test_reclassify_refusals_write_nothing(db_url: str) -> None:
    _setup(db_url)
    defect_id = str(_record(db_url, qty=2)["defect"]["id"])
    base = ("defect", "reclassify")
    refused(db_url, *base, defect_id, "--as", "huge", "--reason", "x", exit_code=2, field="as")
    refused(db_url, *base, defect_id, "--as", "batch", "--reason", " ", exit_code=2,
            field="reason")
    refused(db_url, *base, "999", "--as", "batch", "--reason", "x", exit_code=3,
            field="defects")
    refused(db_url, *base, defect_id, "--as", "sporadic", "--reason", "x", exit_code=4,
            field="as")
    refused(db_url, *base, defect_id, "--as", "batch", "--reason", "x", "--open-case",
            exit_code=4, field="open_case")


def test_merge_links_defects_to_one_case_and_cancels_the_emptied_case_signed(
    db_url: str,
) -> None:
    _setup(db_url)
    first = _record(db_url, qty=12)
    second = _record(db_url, code="BURR", now=T0 + H)
    target, emptied = first["case_id"], second["case_id"]
    assert target != emptied
    ids = [str(first["defect"]["id"]), str(second["defect"]["id"])]

    # Nothing is cancelled without the signature, and nothing else is written either.
    before = snapshot(db_url)
    unsigned = _signed(db_url, "defect", "merge", *ids, "--case", str(target), "--reason",
                       "one lot", "--json", password="wrong")
    assert unsigned.exit_code == 2, unsigned.stdout
    assert json.loads(unsigned.stdout)["error"]["field"] == "password"
    assert beside_guesses(snapshot(db_url)) == beside_guesses(before)

    merged = _signed(db_url, "defect", "merge", *ids, "--case", str(target), "--reason",
                     "one lot", "--json")
    assert merged.exit_code == 0, merged.stdout
    document = json.loads(merged.stdout)
    assert (document["case_id"], document["cancelled_cases"]) == (target, [emptied])
    cancelled = show(db_url, emptied, now=T0 + 3 * H)
    assert cancelled["state"] == "cancelled"
    assert {d["case_id"] for d in _listed(db_url).values()} == {target}


def test_merge_of_two_suppliers_or_into_a_wrong_case_is_refused_with_nothing_written(
    db_url: str,
) -> None:
    _setup(db_url)
    acme = _record(db_url, qty=12)
    bolt = _record(db_url, supplier="BOLT", now=T0 + H)
    ids = [str(acme["defect"]["id"]), str(bolt["defect"]["id"])]
    refused(db_url, "defect", "merge", *ids, "--reason", "x", exit_code=2, field="defects",
            says=["2 suppliers"])
    refused(db_url, "defect", "merge", ids[0], "--case", str(bolt["case_id"]), "--reason", "x",
            exit_code=4, field="case")
    refused(db_url, "defect", "merge", ids[0], "999", "--reason", "x", exit_code=3,
            field="defects")
    refused(db_url, "defect", "merge", ids[0], "--reason", "", exit_code=2, field="reason")
    # Opening a case for a selection whose own case would be left empty asks for a signature.
    refused(db_url, "defect", "merge", ids[0], "--reason", "x", "--by", "lena", exit_code=2,
            field="password")


def test_merge_into_a_new_case_and_close_several_at_once(db_url: str) -> None:
    _setup(db_url)
    a = _record(db_url, qty=12)
    b = _record(db_url, code="BURR", now=T0 + H)
    ids = [str(a["defect"]["id"]), str(b["defect"]["id"])]
    merged = _signed(db_url, "defect", "merge", *ids, "--reason", "one problem", "--json")
    assert merged.exit_code == 0, merged.stdout
    document = json.loads(merged.stdout)
    assert document["case_opened"] is True
    assert sorted(document["cancelled_cases"]) == sorted([a["case_id"], b["case_id"]])
    new_case = document["case_id"]

    # Closing without --cancel-cases marks them handled and leaves the case open.
    closed = ok(db_url, "defect", "close", *ids, "--reason", "sorted out at the line",
                "--by", "lena", now=T0 + 2 * H)
    assert (closed["defects"], closed["cancelled_cases"]) == ([int(i) for i in ids], [])
    assert _listed(db_url) == {}
    handled = _listed(db_url, "--state", "handled")
    assert {d["handled_reason"] for d in handled.values()} == {"sorted out at the line"}
    assert show(db_url, new_case, now=T0 + 3 * H)["state"] == "containment"
    refused(db_url, "defect", "close", ids[0], "--reason", "again", exit_code=4,
            field="defects")


def test_close_with_cancel_cases_cancels_a_case_only_signed(db_url: str) -> None:
    _setup(db_url)
    a = _record(db_url, qty=2)
    refused(db_url, "defect", "close", str(a["defect"]["id"]), "--reason", "scrap",
            "--cancel-cases", "--by", "lena", exit_code=2, field="password")
    done = _signed(db_url, "defect", "close", str(a["defect"]["id"]), "--reason", "scrap",
                   "--cancel-cases", "--json")
    assert done.exit_code == 0, done.stdout
    assert json.loads(done.stdout)["cancelled_cases"] == [a["case_id"]]
    assert show(db_url, a["case_id"], now=T0 + 3 * H)["state"] == "cancelled"


def test_the_import_ends_with_a_short_summary_not_a_row_per_defect(
    db_url: str, tmp_path: Path,
) -> None:
    _setup(db_url)
    when = (T0 - H).isoformat()
    lines = [",".join(COLUMNS)]
    lines += [f"ACME,HSG-100,CRACK,12,{when},line,,"] + [
        f"ACME,P-{n},BURR,1,{when},line,," for n in range(3)]
    lines += ["ACME,P-9,BURR,many,2026-03-01T08:00:00+00:00,line,,"]
    path = tmp_path / "defects.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = capa("defect", "import", str(path), "--db", db_url, "--now", iso(T0))
    assert result.exit_code == 2
    out = result.stdout
    assert "5 rows read, 4 defects recorded." in out
    assert "Cases: 4 opened, 0 reopened, 0 defects counted on open cases." in out
    assert "Classified: 1 batch, 3 sporadic." in out
    assert "Refused: 1 row(s) (line 6)" in out
    assert "Notices queued: " in out
    assert "P-1" not in out, "no line per imported row"
    # Not a terminal: no progress bar on stderr, only the error line.
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("error: ")]
    again = capa("defect", "import", str(path), "--json", "--db", db_url, "--now", iso(T0))
    summary = json.loads(again.stdout)["summary"]
    assert (summary["recorded"], summary["skipped"], summary["rejected_lines"]) == (0, 4, [6])
