"""`capa inspect plan|record|import` end to end: the real Typer app in-process against SQLite
and PostgreSQL, `--now` stepping from T0, refusals checked against the contract
(docs/architecture.md, "Exit codes")."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from capaflow.inspection import COLUMNS
from capaflow.models import Supplier, SwitchingState
from capaflow.models.db import get_engine
from tests.cli.support import H, add_supplier, iso, ok, refused
from tests.conftest import T0
from tests.helpers import capa, snapshot

HEADER = ",".join(COLUMNS)
PLAN = ("inspect", "plan", "--supplier", "ACME", "--part", "HSG-100")


def _record(db_url: str, lot: str, *extra: str, now: datetime = T0) -> dict[str, Any]:
    document: dict[str, Any] = ok(
        db_url, "inspect", "record", "--supplier", "ACME", "--part", "HSG-100", "--lot", lot,
        *extra, now=now,
    )
    return document


def _acme(db_url: str) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")


def test_plan_gives_code_letter_sample_size_ac_re_severity_and_why(db_url: str) -> None:
    _acme(db_url)
    document = ok(db_url, *PLAN, "--lot-size", "500", "--aql", "0.65", "--level", "II")
    # Lot 500, level II: code letter H; Table 2-A at AQL 0.65 has an arrow in row H, down to
    # row J's plan, whose sample size comes with it: n 80, Ac 1, Re 2.
    assert {k: document[k] for k in (
        "code_letter", "plan_letter", "sample_size", "acceptance_number", "rejection_number",
        "severity", "aql",
    )} == {"code_letter": "H", "plan_letter": "J", "sample_size": 80, "acceptance_number": 1,
           "rejection_number": 2, "severity": "normal", "aql": "0.65"}
    assert "code letter H" in document["why"] and "Normal inspection" in document["why"]
    # Defaults from [inspection]: AQL 1.0, level II.
    default = ok(db_url, *PLAN, "--lot-size", "500")
    assert (default["aql"], default["level"]) == ("1.0", "II")


def test_record_rejected_lot_opens_case_places_hold_and_plan_turns_to_100_percent(
    db_url: str,
) -> None:
    _acme(db_url)
    rejected = _record(db_url, "L1", "--lot-size", "500", "--sampled", "50", "--defects", "2",
                       "--defect-code", "CRACK", "--at", iso(T0 - H))
    assert rejected["result"] == "rejected" and rejected["intake_outcome"] == "new_case"
    case_id = rejected["case_id"]
    assert case_id is not None and rejected["notice_id"] is not None
    assert rejected["hold"]["lots_remaining"] == 3 and rejected["hold"]["case_id"] == case_id
    assert rejected["switching"]["recent_on_normal"] == ["rejected"]
    assert rejected["lot"]["inspected_at"] == iso(T0 - H)

    plan = ok(db_url, *PLAN, "--lot-size", "200", now=T0 + H)
    assert (plan["severity"], plan["sample_size"], plan["acceptance_number"]) == ("100%", 200, 0)
    assert f"containment of case #{case_id}: lot 1 of 3" in plan["why"]

    held = _record(db_url, "L2", "--lot-size", "200", "--sampled", "200", "--defects", "0",
                   now=T0 + H)
    assert held["result"] == "accepted" and held["counted_hold"]["remaining_after_this_lot"] == 2
    case = ok(db_url, "case", "show", str(case_id), now=T0 + H)
    assert (case["supplier"], case["defect_code"], case["state"]) == (
        "ACME", "CRACK", "containment"
    )


def test_blacklisted_supplier_is_refused_for_plan_and_record(db_url: str) -> None:
    _acme(db_url)
    with get_engine(db_url).begin() as conn:
        conn.execute(update(Supplier).values(blacklisted_at=T0 - H, blacklist_reason="grade E"))
    refused(db_url, *PLAN, "--lot-size", "500", exit_code=4, field="supplier",
            says=("blacklisted", "grade E"))
    refused(db_url, "inspect", "record", "--supplier", "ACME", "--part", "HSG-100", "--lot",
            "L1", "--lot-size", "500", "--sampled", "50", "--defects", "0",
            exit_code=4, field="supplier", says=("blacklisted",))


def test_duplicate_lot_exits_4_and_writes_nothing(db_url: str) -> None:
    _acme(db_url)
    _record(db_url, "L1", "--lot-size", "500", "--sampled", "50", "--defects", "0")
    refused(db_url, "inspect", "record", "--supplier", "ACME", "--part", "HSG-100", "--lot",
            "L1", "--lot-size", "500", "--sampled", "50", "--defects", "0",
            exit_code=4, field="lot", says=("already recorded",), now=T0 + H)


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        (("--lot-size", "1", "--sampled", "1", "--defects", "0"), "lot_size", "at least 2"),
        (("--lot-size", "500", "--sampled", "50", "--defects", "0", "--aql", "0.3"), "aql",
         "AQL series"),
        (("--lot-size", "500", "--sampled", "50", "--defects", "0", "--level", "IV"), "level",
         "IV"),
        (("--lot-size", "500", "--sampled", "50", "--defects", "51"), "defects", "sample of 50"),
        (("--lot-size", "500", "--sampled", "501", "--defects", "0"), "sampled", "only 500"),
        (("--lot-size", "500", "--sampled", "50", "--defects", "0", "--at",
          iso(T0 + H)), "inspected_at", "after now"),
        (("--lot-size", "500", "--sampled", "20", "--defects", "0"), "sampled", "n = 50"),
        (("--lot-size", "500", "--sampled", "50", "--defects", "2"), "defect_code", "rejected"),
        (("--lot-size", "many", "--sampled", "50", "--defects", "0"), "lot_size", "many"),
    ],
)
def test_record_bad_input_exits_2_naming_the_field_and_writes_nothing(
    db_url: str, extra: tuple[str, ...], field: str, says: str
) -> None:
    _acme(db_url)
    refused(db_url, "inspect", "record", "--supplier", "ACME", "--part", "HSG-100", "--lot",
            "L1", *extra, exit_code=2, field=field, says=(says,))


@pytest.mark.parametrize(
    ("extra", "field"),
    [(("--lot-size", "1"), "lot_size"), (("--lot-size", "50", "--aql", "3"), "aql"),
     (("--lot-size", "50", "--level", "S-5"), "level")],
)
def test_plan_bad_input_exits_2_naming_the_field(
    db_url: str, extra: tuple[str, ...], field: str
) -> None:
    _acme(db_url)
    refused(db_url, *PLAN, *extra, exit_code=2, field=field)


def test_unknown_supplier_exits_3(db_url: str) -> None:
    refused(db_url, *PLAN, "--lot-size", "50", exit_code=3, field="supplier")


def test_stopped_part_is_refused_with_what_the_supplier_must_do_and_resumed(
    db_url: str,
) -> None:
    _acme(db_url)
    with Session(get_engine(db_url)) as session:
        acme = session.exec(select(Supplier)).one()
        assert acme.id is not None
        session.add(SwitchingState(supplier_id=acme.id, part="HSG-100", severity="stopped",
                                   updated_at=T0))
        session.commit()
    refused(db_url, *PLAN, "--lot-size", "500", exit_code=4, field="part",
            says=("supplier must act", "capa inspect resume"))
    resumed = ok(db_url, "inspect", "resume", "--supplier", "ACME", "--part", "HSG-100",
                 "--reason", "new die installed")
    assert resumed["severity"] == "tightened"
    assert ok(db_url, *PLAN, "--lot-size", "500")["severity"] == "tightened"


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "lots.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _import(db_url: str, path: Path, now: datetime = T0) -> tuple[int, dict[str, Any]]:
    result = capa("inspect", "import", str(path), "--json", "--db", db_url, "--now", iso(now))
    return result.exit_code, json.loads(result.stdout)


def test_import_lists_bad_rows_by_line_and_field_and_imports_the_good_ones(
    db_url: str, tmp_path: Path
) -> None:
    _acme(db_url)
    at = iso(T0 - 5 * H)
    path = _csv(
        tmp_path,
        f"ACME,HSG-100,L1,500,50,0,,1.0,II,{at}",            # 2 good, accepted
        f"ACME,HSG-100,L2,1,1,0,,,,{at}",                    # 3 lot_size
        f"ACME,HSG-100,L3,500,50,0,,0.3,II,{at}",            # 4 aql
        f"ACME,HSG-100,L4,500,50,0,,1.0,IV,{at}",            # 5 level
        f"ACME,HSG-100,L5,500,50,60,,,,{at}",                # 6 defects
        f"ACME,HSG-100,L6,500,50,0,,,,{iso(T0 + H)}",        # 7 inspected_at
        f"ACME,HSG-100,L7,500,50,2,CRACK,,,{at}",            # 8 good, rejected: opens a case
        f"NOPE,HSG-100,L8,500,50,0,,,,{at}",                 # 9 unknown supplier
        "",
        f"ACME,HSG-100,L9,500,500,0,,,,{at}",                # 11 good, held lot at 100 %
    )
    code, report = _import(db_url, path)
    assert code == 2 and report["complete"] is False
    assert [(r["line"], r["field"]) for r in report["rejected"]] == [
        (3, "lot_size"), (4, "aql"), (5, "level"), (6, "defects"), (7, "inspected_at"),
        (9, "supplier"),
    ]
    assert report["rejected"][-1]["code"] == "not_found"
    assert [(r["line"], r["result"]) for r in report["imported"]] == [
        (2, "accepted"), (8, "rejected"), (11, "accepted"),
    ]
    assert report["imported"][1]["case_id"] is not None
    assert report["imported"][2]["plan"]["severity"] == "100%"
    assert report["skipped"] == []


def test_reimporting_the_same_file_adds_nothing_and_exits_0(
    db_url: str, tmp_path: Path
) -> None:
    _acme(db_url)
    at = iso(T0 - 5 * H)
    path = _csv(
        tmp_path,
        f"ACME,HSG-100,L1,500,50,0,,,,{at}",
        f"ACME,HSG-100,L2,500,50,3,CRACK,,,{at}",
        f"ACME,HSG-100,L3,500,500,0,,,,{at}",
    )
    code, first = _import(db_url, path)
    assert code == 0 and len(first["imported"]) == 3
    before = snapshot(db_url)

    code, again = _import(db_url, path, now=T0 + H)
    assert code == 0 and again["imported"] == [] and again["rejected"] == []
    assert [(s["line"], s["lot"], s["reason"]) for s in again["skipped"]] == [
        (2, "L1", "already recorded"), (3, "L2", "already recorded"),
        (4, "L3", "already recorded"),
    ]
    assert snapshot(db_url) == before


def test_import_with_a_wrong_header_is_refused_whole(db_url: str, tmp_path: Path) -> None:
    _acme(db_url)
    path = tmp_path / "lots.csv"
    path.write_text("supplier,part,lot\nACME,HSG-100,L1\n", encoding="utf-8")
    refused(db_url, "inspect", "import", str(path), exit_code=2, field="lot_size")
