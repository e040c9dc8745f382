"""`capa defect record` and `capa defect import` end to end, as a quality lead uses them:
the real Typer app in-process against SQLite and PostgreSQL, `--now` stepping from T0."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from capaflow.intake import COLUMNS
from tests.cli.support import (
    D,
    H,
    add_signer,
    add_supplier,
    deadline,
    iso,
    ok,
    open_8d,
    refused,
    show,
    signed_step,
    step,
)
from tests.conftest import T0
from tests.helpers import capa, snapshot
from tests.intake.support import ROOT_CAUSE

MONTH = 30 * D
HEADER = ",".join(COLUMNS)


def _record(db_url: str, *extra: str, now: datetime = T0) -> dict[str, Any]:
    document: dict[str, Any] = ok(
        db_url, "defect", "record", "--supplier", "ACME", "--part", "HSG-100",
        "--defect-code", "CRACK", *extra, now=now,
    )
    return document


def _to_effectiveness_tracking(db_url: str, case_id: int) -> datetime:
    step(db_url, case_id, "contain", T0 + 20 * H, containment="sorted stock")
    step(db_url, case_id, "find_root_cause", T0 + 3 * D, **ROOT_CAUSE)
    step(db_url, case_id, "apply_short_term_fix", T0 + 4 * D, short_term_fix="crack test")
    step(db_url, case_id, "implement_countermeasure", T0 + 5 * D, countermeasure="new die")
    return T0 + 5 * D


def test_record_opens_a_case_then_counts_occurrences_and_holds_the_next_three_lots(
    db_url: str,
) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")

    first = _record(db_url, "--qty", "4", "--source", "incoming", "--at", iso(T0 - 3 * H),
                    "--note", "found at goods-in")
    second = _record(db_url, now=T0 + 2 * H)

    assert (first["outcome"], first["linked_case_id"]) == ("new_case", None)
    case_id = first["case_id"]
    assert first["case"]["id"] == case_id and first["case"]["state"] == "containment"
    assert first["defect"] | {"id": None} == {
        "id": None, "supplier": "ACME", "part": "HSG-100", "defect_code": "CRACK",
        "quantity": 4, "occurred_at": iso(T0 - 3 * H), "recorded_at": iso(T0),
        "source": "incoming",
    }
    assert [(d["key"], d["due_at"]) for d in first["deadlines"]["started"]] == [
        ("containment", iso(T0 + 24 * H))
    ]
    hold = first["inspection_hold"]
    assert (hold["lots_required"], hold["lots_remaining"], hold["reset"]) == (3, 3, False)
    assert hold["case_id"] == case_id

    assert (second["outcome"], second["case_id"]) == ("occurrence", case_id)
    assert second["case"]["occurrences"] == 2
    assert second["defect"]["occurred_at"] == iso(T0 + 2 * H), "--at defaults to now"
    assert (second["inspection_hold"]["id"], second["inspection_hold"]["reset"]) == (
        hold["id"], True
    )


def test_record_reopens_a_case_in_effectiveness_tracking_and_says_so_in_a_line(
    db_url: str,
) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")
    case_id = open_8d(db_url, "--supplier", "ACME", "--part", "HSG-100",
                      "--defect-code", "CRACK", "--owner", "lena")
    fixed = _to_effectiveness_tracking(db_url, case_id)
    recurrence = fixed + 2 * MONTH

    plain = capa("defect", "record", "--supplier", "ACME", "--part", "HSG-100",
                 "--defect-code", "CRACK", "--db", db_url, "--now", iso(recurrence))

    assert plain.exit_code == 0, plain.stderr
    lines = plain.stdout.strip().splitlines()
    assert len(lines) == 2, plain.stdout
    assert f"case #{case_id} reopened to containment" in lines[0]
    assert "containment due 2026-05-07 09:00 UTC" in lines[0]
    assert "next 3 lots of ACME HSG-100" in lines[1]
    case = show(db_url, case_id, now=recurrence)
    assert (case["state"], case["reopen_count"]) == ("containment", 1)
    containments = [(d["status"], d["due_at"]) for d in case["deadlines"]
                    if d["key"] == "containment"]
    assert containments == [("met", iso(T0 + 24 * H)), ("pending", iso(recurrence + 24 * H))]


def test_record_after_closure_opens_a_new_case_linked_to_the_closed_one(db_url: str) -> None:
    add_supplier(db_url, "ACME")
    earlier = open_8d(db_url, "--supplier", "ACME", "--part", "HSG-100",
                      "--defect-code", "CRACK", "--owner", "marco")
    fixed = _to_effectiveness_tracking(db_url, earlier)
    window = deadline(show(db_url, earlier, now=fixed), "effectiveness_window")
    window_end = datetime.fromisoformat(window["due_at"])
    add_signer(db_url)
    signed_step(db_url, earlier, "close", window_end + H)

    document = _record(db_url, now=window_end + MONTH)

    assert (document["outcome"], document["linked_case_id"]) == ("new_case", earlier)
    assert document["case"]["owner"] == "marco"
    assert show(db_url, document["case_id"], now=window_end + MONTH)["state"] == "containment"


def test_record_with_open_new_case_off_in_the_config_records_without_a_case(
    db_url: str, tmp_path: Path
) -> None:
    add_supplier(db_url, "ACME")
    site = tmp_path / "site.toml"
    site.write_text("[intake]\nopen_new_case = false\n", encoding="utf-8")

    document = _record(db_url, "--config", str(site))

    assert (document["outcome"], document["case_id"], document["case"]) == (
        "recorded", None, None
    )
    assert document["inspection_hold"]["lots_remaining"] == 3


def test_record_with_a_bad_intake_setting_exits_2_naming_the_key_and_writes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    add_supplier(db_url, "ACME")
    site = tmp_path / "site.toml"
    site.write_text("[intake]\ninspection_lots = 0\n", encoding="utf-8")

    refused(db_url, "defect", "record", "--supplier", "ACME", "--part", "HSG-100",
            "--defect-code", "CRACK", "--config", str(site),
            exit_code=2, field="intake.inspection_lots")


def test_record_for_an_unknown_supplier_exits_3_naming_it_and_writes_nothing(
    db_url: str,
) -> None:
    add_supplier(db_url, "ACME")

    refused(db_url, "defect", "record", "--supplier", "NOPE", "--part", "HSG-100",
            "--defect-code", "CRACK", exit_code=3, field="supplier", says=["'NOPE'"])


@pytest.mark.parametrize(("extra", "field"), [
    (["--qty", "0"], "quantity"),
    (["--qty", "two"], "quantity"),
    (["--qty", ""], "quantity"),
    (["--at", "2026-13-01"], "occurred_at"),
    (["--at", "2026-03-01T09:00:00"], "occurred_at"),
    (["--at", iso(T0 + H)], "occurred_at"),
    (["--source", "plant"], "source"),
    (["--part", " "], "part"),
    (["--defect-code", ""], "defect_code"),
    (["--severity", "urgent"], "severity"),
], ids=[
    "qty 0", "qty not a number", "qty empty", "at not a date", "at without offset", "at after now",
    "unknown source", "blank part", "empty defect code", "unknown severity",
])
def test_record_with_bad_input_exits_2_naming_the_field_and_writes_nothing(
    db_url: str, extra: list[str], field: str
) -> None:
    add_supplier(db_url, "ACME")
    _record(db_url)  # a case in containment: a defect that got through would count on it
    options = {"--supplier": "ACME", "--part": "HSG-100", "--defect-code": "CRACK"}
    options.update(zip(extra[::2], extra[1::2], strict=True))
    args = [item for pair in options.items() for item in pair]

    refused(db_url, "defect", "record", *args, exit_code=2, field=field, says=[f"{field}: "])


def _csv(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "defects.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_import_of_good_rows_exits_0_with_each_row_outcome(db_url: str, tmp_path: Path) -> None:
    add_supplier(db_url, "ACME")
    path = _csv(
        tmp_path,
        "ACME,HSG-100,CRACK,2,2026-03-01T08:00:00+00:00,incoming,",
        "ACME,HSG-100,CRACK,1,2026-03-01T09:00:00+00:00,line,second",
        "ACME,HSG-200,BURR,1,2026-03-01T10:00:00+00:00,customer,",
    )

    document = ok(db_url, "defect", "import", path)

    assert (document["complete"], document["rows"], document["rejected"]) == (True, 3, [])
    assert "error" not in document
    rows = [(r["line"], r["outcome"], r["case_id"]) for r in document["imported"]]
    first_case = rows[0][2]
    assert rows == [(2, "new_case", first_case), (3, "occurrence", first_case),
                    (4, "new_case", first_case + 1)]


def test_import_with_bad_rows_exits_2_lists_them_and_keeps_the_good_rows(
    db_url: str, tmp_path: Path
) -> None:
    add_supplier(db_url, "ACME")
    path = _csv(
        tmp_path,
        "ACME,HSG-100,CRACK,1,2026-03-01T08:00:00+00:00,line,",
        "ACME,BAD-1,CRACK,1,2026-03-01T08:00:00+00:00,plant,",
        "NOPE,BAD-2,CRACK,1,2026-03-01T08:00:00+00:00,line,",
        "ACME,BAD-3,CRACK,-1,2026-13-01,line,",
        "ACME,HSG-100,CRACK,1,2026-03-01T09:00:00+00:00,line,",
    )
    before = snapshot(db_url)

    plain = capa("defect", "import", path, "--db", db_url, "--now", iso(T0))

    assert plain.exit_code == 2, (plain.stdout, plain.stderr)
    [message] = plain.stderr.strip().splitlines()
    assert message == (
        f"error: 3 of 5 rows of {path} rejected (line 3, 4, 5); the other 2 rows were imported"
    )
    assert "line 5: occurred_at: '2026-13-01' is not " in plain.stdout
    after = snapshot(db_url)
    assert len(after["defect_events"]) == len(before["defect_events"]) + 2
    assert not any("BAD-" in value for rows in after.values() for row in rows for value in row)


def test_import_json_lists_rejected_rows_with_line_and_field_beside_the_imported(
    db_url: str, tmp_path: Path
) -> None:
    add_supplier(db_url, "ACME")
    path = _csv(
        tmp_path,
        "ACME,HSG-100,CRACK,1,2026-03-01T08:00:00+00:00,line,",
        "ACME,HSG-100,CRACK,1,2026-03-03T08:00:00+00:00,line,",
    )

    result = capa("defect", "import", path, "--db", db_url, "--now", iso(T0), "--json")

    assert result.exit_code == 2, result.stderr
    document = json.loads(result.stdout)
    assert document["complete"] is False
    assert [r["line"] for r in document["imported"]] == [2]
    assert document["rejected"] == [{
        "line": 3, "field": "occurred_at",
        "message": "occurred_at: 2026-03-03T08:00:00+00:00 is after now "
                   "(2026-03-02T09:00:00+00:00)",
    }]
    assert document["error"]["code"] == "bad_input"
    assert len(result.stderr.strip().splitlines()) == 1


def test_import_of_a_header_only_file_imports_nothing_and_exits_0(
    db_url: str, tmp_path: Path
) -> None:
    document = ok(db_url, "defect", "import", _csv(tmp_path))

    assert (document["rows"], document["imported"], document["rejected"]) == (0, [], [])


def test_import_of_a_missing_file_exits_2_naming_the_file(db_url: str) -> None:
    refused(db_url, "defect", "import", "no-such.csv", exit_code=2, field="file",
            says=["no-such.csv"])


def test_import_without_a_required_column_exits_2_naming_it_and_writes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    add_supplier(db_url, "ACME")
    path = tmp_path / "defects.csv"
    path.write_text("supplier,part,defect_code\nACME,HSG-100,CRACK\n", encoding="utf-8")

    refused(db_url, "defect", "import", str(path), exit_code=2, field="occurred_at",
            says=["occurred_at"])
