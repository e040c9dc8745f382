"""Importing defects from CSV: good rows land one transaction each, bad rows are listed with
their line and field and leave nothing behind; a file with a wrong header is refused whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput
from capaflow.intake import COLUMNS, ImportReport, IntakePolicy, import_defects
from capaflow.intake.csvimport import read_defect_rows
from capaflow.models import Case, DefectEvent, InspectionHold
from capaflow.models.db import session_scope
from tests.conftest import T0
from tests.helpers import snapshot
from tests.intake.support import add_acme

HEADER = ",".join(COLUMNS)


@pytest.fixture
def acme(session: Session) -> None:
    add_acme(session)


def _write(tmp_path: Path, *lines: str, name: str = "defects.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(engine: Engine, policy: DeadlinePolicy, path: Path) -> ImportReport:
    @contextmanager
    def transaction() -> Iterator[Session]:
        with session_scope(engine) as session:
            yield session

    return import_defects(
        path, transaction=transaction, actor="lena", now=T0, policy=policy,
        intake_policy=IntakePolicy(),
    )


def test_good_rows_land_and_bad_rows_are_listed_with_line_and_field(
    engine: Engine, session: Session, policy: DeadlinePolicy, acme: None, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        HEADER,
        "ACME,HSG-100,CRACK,2,2026-03-01T08:00:00+00:00,incoming,first one",
        "ACME,BAD-1,CRACK,0,2026-03-01T08:00:00+00:00,line,",
        "ACME,BAD-2,CRACK,1,2026-13-01,line,",
        "ACME,BAD-3,CRACK,1,2026-03-01T08:00:00+00:00,plant,",
        "NOPE,BAD-4,CRACK,1,2026-03-01T08:00:00+00:00,line,",
        "ACME,BAD-5,,1,2026-03-01T08:00:00+00:00,line,",
        "ACME,BAD-6,CRACK,1,2026-03-03T08:00:00+00:00,line,",
        "ACME,HSG-100,CRACK,,2026-03-01T10:00:00Z,,",
    )

    report = _import(engine, policy, path)

    assert [(r.line, r.result.outcome) for r in report.imported] == [
        (2, "new_case"), (9, "occurrence")
    ]
    assert [(r.line, r.field) for r in report.rejected] == [
        (3, "quantity"), (4, "occurred_at"), (5, "source"), (6, "supplier"),
        (7, "defect_code"), (8, "occurred_at"),
    ]
    assert report.rejected[1].message.startswith("occurred_at: '2026-13-01' is not ")
    assert (report.rows, report.complete) == (8, False)
    defects = session.exec(select(DefectEvent).order_by(col(DefectEvent.id))).all()
    assert [(d.part, d.quantity, d.source) for d in defects] == [
        ("HSG-100", 2, "incoming"), ("HSG-100", 1, "line")
    ]
    [case] = session.exec(select(Case)).all()
    assert (case.occurrences, case.part) == (2, "HSG-100")
    parts = {h.part for h in session.exec(select(InspectionHold))}
    assert parts == {"HSG-100"}, "nothing of a bad row is written"


def test_a_row_with_several_bad_fields_lists_each_of_them(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER, ",HSG-100,CRACK,x,yesterday,plant,")

    rows, rejected = read_defect_rows(path, now=T0)

    assert rows == []
    assert [(r.line, r.field) for r in rejected] == [
        (2, "supplier"), (2, "quantity"), (2, "occurred_at"), (2, "source")
    ]


def test_line_numbers_count_the_header_blank_lines_and_notes_spanning_lines(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        HEADER,
        'ACME,HSG-100,CRACK,1,2026-03-01T08:00:00Z,line,"crack at the boss,',
        'seen by the night shift"',
        "",
        "ACME,HSG-100,CRACK,0,2026-03-01T08:00:00Z,line,",
    )

    rows, rejected = read_defect_rows(path, now=T0)

    assert [(r.line, r.note) for r in rows] == [
        (2, "crack at the boss,\nseen by the night shift")
    ]
    assert [(r.line, r.field) for r in rejected] == [(5, "quantity")]


def test_optional_columns_may_be_left_out_and_default_to_one_part_found_on_the_line(
    tmp_path: Path,
) -> None:
    # In any order, with a spreadsheet's byte-order mark and Windows line ends.
    path = tmp_path / "defects.csv"
    path.write_bytes(
        "\ufeffOccurred_at,Supplier,Part,Defect_Code\r\n"
        "2026-03-01T08:00:00+01:00,ACME,HSG-100,CRACK\r\n".encode()
    )

    [row], rejected = read_defect_rows(path, now=T0)

    assert rejected == []
    assert (row.supplier, row.quantity, row.source, row.note) == ("ACME", 1, "line", None)
    assert row.occurred_at.isoformat() == "2026-03-01T07:00:00+00:00"


def test_a_row_with_more_values_than_columns_is_rejected_as_a_whole(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER,
                  "ACME,HSG-100,CRACK,1,2026-03-01T08:00:00Z,line,note,1000,extra")

    rows, rejected = read_defect_rows(path, now=T0)

    assert rows == []
    assert [(r.line, r.field) for r in rejected] == [(2, None)]


@pytest.mark.parametrize("missing", ["supplier", "part", "defect_code", "occurred_at"])
def test_a_header_without_a_required_column_is_refused_whole_naming_it(
    engine: Engine, policy: DeadlinePolicy, acme: None, tmp_path: Path, db_url: str,
    missing: str,
) -> None:
    columns = [c for c in COLUMNS if c != missing]
    path = _write(tmp_path, ",".join(columns), ",".join(["ACME"] * len(columns)))
    before = snapshot(db_url)

    with pytest.raises(BadInput) as refused:
        _import(engine, policy, path)

    assert refused.value.field == missing
    assert f"no column '{missing}'" in refused.value.message
    assert snapshot(db_url) == before


@pytest.mark.parametrize(("lines", "field", "says"), [
    ([], "file", "is empty"),
    ([HEADER.replace("quantity", "qty")], "qty", "not a column"),
    ([HEADER + ",part"], "part", "named twice"),
])
def test_an_empty_file_or_a_wrong_header_is_refused_whole(
    tmp_path: Path, lines: list[str], field: str, says: str
) -> None:
    path = tmp_path / "defects.csv"
    path.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(BadInput) as refused:
        read_defect_rows(path, now=T0)

    assert refused.value.field == field and says in refused.value.message


def test_a_file_that_is_not_utf8_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "defects.csv"
    path.write_bytes(HEADER.encode() + b"\nACME,Geh\xe4use,CRACK,1,2026-03-01T08:00:00Z,,\n")

    with pytest.raises(BadInput) as refused:
        read_defect_rows(path, now=T0)

    assert refused.value.field == "file" and "UTF-8" in refused.value.message


def test_importing_the_same_file_again_adds_nothing_and_lists_the_rows_skipped(
    db_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import func

    from capaflow.models import CaseEvent
    from capaflow.models.db import get_engine
    from tests.helpers import capa

    file = tmp_path / "defects.csv"
    at = T0.isoformat()
    assert capa("supplier", "add", "ACME", "--name", "Acme", "--db", db_url).exit_code == 0
    # Two identical lines are two defects; the third line is bad until it is fixed.
    file.write_text("supplier,part,defect_code,quantity,occurred_at\n"
                    f"ACME,P1,BURR,2,{at}\nACME,P1,BURR,2,{at}\nACME,P1,BURR,x,{at}\n")
    first = capa("defect", "import", str(file), "--json", "--db", db_url,
                 "--now", (T0 + timedelta(hours=1)).isoformat())
    assert first.exit_code == 2
    file.write_text(file.read_text().replace(",x,", ",1,"))
    second = capa("defect", "import", str(file), "--json", "--db", db_url,
                  "--now", (T0 + timedelta(hours=2)).isoformat())
    assert second.exit_code == 0, second.stdout
    report = json.loads(second.stdout)
    assert [s["line"] for s in report["skipped"]] == [2, 3]
    assert [r["line"] for r in report["imported"]] == [4]
    with Session(get_engine(db_url)) as session:
        assert session.exec(select(func.count()).select_from(DefectEvent)).one() == 3
        occurrences = session.exec(select(func.count()).select_from(CaseEvent)
                                   .where(CaseEvent.action == "occurrence")).one()
        assert occurrences == 2  # the second line and the fixed third, each counted once
