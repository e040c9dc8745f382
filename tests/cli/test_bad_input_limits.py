"""Bad input at the limits is refused, never a traceback (docs/architecture.md, "Exit codes"):
ids outside the INTEGER column, endless or huge CSV files, times outside the years capaflow
takes; and one bad row of an import never stops the good ones (issue 14, points 5, 6 and 9).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capaflow import csvfiles
from tests.cli.support import H, add_supplier, iso, ok, open_8d, refused
from tests.conftest import T0
from tests.helpers import capa, snapshot

TOO_BIG = ("2147483648", "99999999999999999999")

# Every command taking a record number, with the rest of its arguments.
ID_COMMANDS = [
    (("case", "show", "{id}"), "case_id"),
    (("case", "report", "{id}"), "case_id"),
    (("case", "history", "{id}"), "case_id"),
    (("case", "advance", "{id}", "contain", "--field", "containment=x"), "case_id"),
    (("supplier-audit", "show", "{id}"), "case_id"),
    (("supplier-audit", "finding", "close", "{id}"), "finding_id"),
    (("cost", "list", "{id}"), "case_id"),
    (("audit", "verify", "--case", "{id}"), "--case"),
    (("notify", "retry", "{id}"), "notice_id"),
    (("notify", "list", "--case", "{id}"), "--case"),
    (("token", "revoke", "{id}"), "token_id"),
    (("defect", "classify", "{id}"), "CASE_ID"),
]


@pytest.mark.parametrize("value", [*TOO_BIG, "0"])
@pytest.mark.parametrize(("args", "field"), ID_COMMANDS, ids=lambda a: " ".join(a)[:30])
def test_an_id_outside_the_integer_column_exits_2_naming_it_and_writes_nothing(
    db_url: str, args: tuple[str, ...], field: str, value: str
) -> None:
    add_supplier(db_url)
    open_8d(db_url, "--supplier", "ACME")
    before = snapshot(db_url)
    typed = [a.replace("{id}", value) for a in args]
    result = capa(*typed, "--db", db_url, "--now", iso(T0))
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert field in result.stderr, result.stderr
    assert snapshot(db_url) == before


def test_audit_verify_of_a_case_number_beyond_any_case_is_bad_input_not_a_broken_chain(
    db_url: str,
) -> None:
    # Exit 1 would read as "the chain is broken" to a script (issue 14, point 9).
    result = capa("audit", "verify", "--case", "99999999999", "--db", db_url)
    assert result.exit_code == 2, result.stderr


@pytest.mark.parametrize("noun", ["defect", "inspect", "service"])
def test_an_endless_file_is_refused_naming_file(db_url: str, noun: str) -> None:
    refused(db_url, noun, "import", "/dev/zero", exit_code=2, field="file",
            says=["/dev/zero", "line longer than"])


@pytest.mark.parametrize("noun", ["defect", "inspect", "service"])
def test_a_file_above_the_size_limit_is_refused_naming_file(
    db_url: str, noun: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvfiles, "MAX_BYTES", 1000)
    path = tmp_path / "big.csv"
    header = {"defect": "supplier,part,defect_code,occurred_at",
              "inspect": "supplier,part,lot,lot_size,sampled,defects,inspected_at",
              "service": "customer,kind,severity,category,channel,title"}[noun]
    path.write_text(header + "\n" + "ACME,P\n" * 200, encoding="utf-8")
    refused(db_url, noun, "import", str(path), exit_code=2, field="file",
            says=["larger than"])


OUT_OF_RANGE = ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1899-12-31T23:00:00Z")


def _import(db_url: str, noun: str, path: Path) -> tuple[int, dict[str, object]]:
    result = capa(noun, "import", str(path), "--json", "--db", db_url, "--now", iso(T0))
    document: dict[str, object] = json.loads(result.stdout)
    return result.exit_code, document


def _rejected(document: dict[str, object]) -> list[tuple[int, str]]:
    rows = document["rejected"]
    assert isinstance(rows, list)
    return [(r["line"], r["field"]) for r in rows]


def test_defect_import_keeps_good_rows_and_lists_dates_out_of_range(
    db_url: str, tmp_path: Path
) -> None:
    add_supplier(db_url)
    at = iso(T0 - H)
    path = tmp_path / "defects.csv"
    path.write_text(
        "supplier,part,defect_code,occurred_at\n"
        f"ACME,P1,D1,{at}\n"
        + "".join(f"ACME,P1,D1,{when}\n" for when in OUT_OF_RANGE)
        + f"ACME,P2,D2,{at}\n",
        encoding="utf-8",
    )
    code, report = _import(db_url, "defect", path)
    assert code == 2
    assert _rejected(report) == [(3, "occurred_at"), (4, "occurred_at"), (5, "occurred_at")]
    imported = report["imported"]
    assert isinstance(imported, list)
    assert [r["line"] for r in imported] == [2, 6]


def test_inspect_import_keeps_good_rows_and_lists_dates_out_of_range(
    db_url: str, tmp_path: Path
) -> None:
    add_supplier(db_url)
    at = iso(T0 - H)
    path = tmp_path / "lots.csv"
    path.write_text(
        "supplier,part,lot,lot_size,sampled,defects,inspected_at\n"
        f"ACME,P1,L1,500,50,0,{at}\n"
        + "".join(f"ACME,P1,X{i},500,50,0,{when}\n" for i, when in enumerate(OUT_OF_RANGE))
        + f"ACME,P1,L2,500,50,0,{at}\n",
        encoding="utf-8",
    )
    code, report = _import(db_url, "inspect", path)
    assert code == 2
    assert _rejected(report) == [(3, "inspected_at"), (4, "inspected_at"), (5, "inspected_at")]
    imported = report["imported"]
    assert isinstance(imported, list)
    assert [r["line"] for r in imported] == [2, 6]


def test_service_import_keeps_good_rows_and_lists_dates_out_of_range(
    db_url: str, tmp_path: Path
) -> None:
    ok(db_url, "customer", "add", "SHOP", "--name", "Corner Shop", "--tier", "standard")
    ok(db_url, "person", "add", "ann", "--team", "field", "--skills", "repair")
    row = "SHOP,request,S3,repair,phone,Noise"
    path = tmp_path / "requests.csv"
    path.write_text(
        "customer,kind,severity,category,channel,title,received_at\n"
        f"{row},{iso(T0 - H)}\n"
        + "".join(f"{row} {i},{when}\n" for i, when in enumerate(OUT_OF_RANGE))
        + f"{row} again,{iso(T0 - 2 * H)}\n",
        encoding="utf-8",
    )
    code, report = _import(db_url, "service", path)
    assert code == 2
    assert _rejected(report) == [(3, "received_at"), (4, "received_at"), (5, "received_at")]
    imported = report["imported"]
    assert isinstance(imported, list)
    assert [r["line"] for r in imported] == [2, 6]


@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_now_out_of_range_is_refused_naming_now(db_url: str, when: str) -> None:
    refused(db_url, "case", "open", "--title", "Cracked housing", now=when,
            exit_code=2, field="now", says=["now"])
