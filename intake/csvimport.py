"""Importing defects from a CSV file: every row checked, good rows recorded, bad rows listed.

The header names the columns (`supplier,part,defect_code,quantity,occurred_at,source,note`;
quantity, source and note may be left out). A file whose header is wrong is refused whole,
before anything is written. Otherwise the rows are checked one by one and each good row is
recorded in a transaction of its own, in file order (a later row of the same key counts on the
case an earlier row opened). A bad row is listed with its line number and field and never
half-written, and does not stop the good rows: an export of a thousand rows with one typo
should not have to be fixed before anything lands. This is the one exception to "a non-zero
exit writes nothing", and the report says so (`rejected`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session

from deadlines.policy import DeadlinePolicy
from errors import BadInput, CapaError
from intake.policy import IntakePolicy
from intake.recurrence import (
    SUPPLIER_CODE_LIMIT,
    IntakeResult,
    check_code,
    check_note,
    check_source,
    parse_occurred_at,
    parse_quantity,
    record_defect,
)

COLUMNS = ("supplier", "part", "defect_code", "quantity", "occurred_at", "source", "note")
REQUIRED = ("supplier", "part", "defect_code", "occurred_at")
DEFAULT_SOURCE = "line"

_T = TypeVar("_T")


@dataclass(frozen=True)
class Rejection:
    """One problem of one row; a row with several bad fields has one rejection per field."""

    line: int  # in the file, the header being line 1
    field: str | None  # None when the row as a whole is wrong (too many values)
    message: str


@dataclass(frozen=True)
class DefectRow:
    """A row that passed the checks, with its values read."""

    line: int
    supplier: str
    part: str
    defect_code: str
    quantity: int
    occurred_at: datetime
    source: str
    note: str | None


@dataclass(frozen=True)
class ImportedRow:
    line: int
    result: IntakeResult


@dataclass
class ImportReport:
    file: str
    rows: int = 0  # data rows in the file, blank lines not counted
    imported: list[ImportedRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({r.line for r in self.rejected})

    @property
    def complete(self) -> bool:
        return not self.rejected


def _read_text(path: Path) -> str:
    try:
        # utf-8-sig: spreadsheets save CSV with a byte-order mark, which would otherwise
        # become part of the first column's name.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"file: {path} does not exist", field="file") from None
    except IsADirectoryError:
        raise BadInput(f"file: {path} is a directory, not a CSV file", field="file") from None
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"file: {path} is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8",
            field="file",
        ) from None
    except OSError as exc:
        raise BadInput(f"file: cannot read {path}: {exc.strerror}", field="file") from None


def _header(path: Path, names: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in names]
    seen: set[str] = set()
    for name in columns:
        if name not in COLUMNS:
            raise BadInput(
                f"{name or '(blank)'}: not a column of a defect import; the header names "
                f"{', '.join(COLUMNS)}",
                field=name or "header",
            )
        if name in seen:
            raise BadInput(f"{name}: column named twice in the header of {path}", field=name)
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            raise BadInput(
                f"{name}: {path} has no column '{name}' (required: {', '.join(REQUIRED)}; "
                f"header: {','.join(columns)})",
                field=name,
            )
    return columns


def _check_row(
    line: int, values: dict[str, str], now: datetime
) -> tuple[DefectRow | None, list[Rejection]]:
    """The row's values read, or every problem it has (so one pass fixes the file)."""
    problems: list[Rejection] = []

    def checked(read: Callable[[], _T]) -> _T | None:
        try:
            return read()
        except BadInput as error:
            problems.append(Rejection(line, error.field, error.message))
            return None

    supplier = checked(
        lambda: check_code("supplier", values.get("supplier"), limit=SUPPLIER_CODE_LIMIT)
    )
    part = checked(lambda: check_code("part", values.get("part")))
    defect_code = checked(lambda: check_code("defect_code", values.get("defect_code")))
    quantity = checked(lambda: parse_quantity(values.get("quantity")))
    occurred_text = values.get("occurred_at", "")
    if occurred_text.strip():
        occurred_at = checked(lambda: parse_occurred_at(occurred_text, now))
    else:
        occurred_at = None
        problems.append(
            Rejection(line, "occurred_at", "occurred_at: must not be empty (ISO-8601 with offset)")
        )
    source = checked(lambda: check_source(values.get("source", "").strip() or DEFAULT_SOURCE))
    note = checked(lambda: check_note(values.get("note")))
    if problems:
        return None, problems
    assert supplier is not None and part is not None and defect_code is not None
    assert quantity is not None and occurred_at is not None and source is not None
    return (
        DefectRow(
            line=line, supplier=supplier, part=part, defect_code=defect_code,
            quantity=quantity, occurred_at=occurred_at, source=source, note=note,
        ),
        [],
    )


def read_defect_rows(path: str | Path, *, now: datetime) -> tuple[list[DefectRow], list[Rejection]]:
    """Read and check the file: good rows and the rejections of the bad ones.

    BadInput (the whole file refused) when it cannot be read, is empty, or its header lacks a
    required column or names an unknown one.
    """
    path = Path(path)
    text = _read_text(path)
    # newline="": line ends reach csv untouched, so a quoted note may span lines and a
    # Windows export's \r\n counts as one line for the line numbers.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = next(reader)
    except StopIteration:
        raise BadInput(
            f"file: {path} is empty; its first line must be the header "
            f"{','.join(COLUMNS)}",
            field="file",
        ) from None
    except csv.Error as exc:
        raise BadInput(f"file: line 1 of {path}: {exc}", field="file") from None
    columns = _header(path, names)
    good: list[DefectRow] = []
    rejected: list[Rejection] = []
    last_line = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # csv gives up on the rest of the file after a broken quote; what it read is kept.
            rejected.append(Rejection(last_line + 1, None, f"not valid CSV: {exc}"))
            break
        # A row's number is the line it starts on: a quoted note may span several lines.
        line, last_line = last_line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines and the empty rows spreadsheets leave at the end
        if any(v.strip() for v in values[len(columns):]):
            rejected.append(
                Rejection(
                    line, None,
                    f"{len(values)} values, but the header names {len(columns)} columns",
                )
            )
            continue
        row, problems = _check_row(line, dict(zip(columns, values, strict=False)), now)
        if row is not None:
            good.append(row)
        rejected.extend(problems)
    return good, rejected


def import_defects(
    path: str | Path,
    *,
    transaction: Callable[[], AbstractContextManager[Session]],
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    intake_policy: IntakePolicy,
) -> ImportReport:
    """Record every good row of the file, each in its own `transaction()`; list the bad ones.

    A row that passes the checks can still be refused when it is recorded (an unknown
    supplier, a concurrent update): its transaction rolls back and it is listed as rejected.
    """
    rows, rejected = read_defect_rows(path, now=now)
    report = ImportReport(file=str(path), rows=len(rows) + len({r.line for r in rejected}))
    report.rejected.extend(rejected)
    for row in rows:
        try:
            with transaction() as session:
                result = record_defect(
                    session,
                    supplier_code=row.supplier,
                    part=row.part,
                    defect_code=row.defect_code,
                    quantity=row.quantity,
                    occurred_at=row.occurred_at,
                    source=row.source,
                    note=row.note,
                    actor=actor,
                    now=now,
                    policy=policy,
                    intake_policy=intake_policy,
                )
        except CapaError as error:
            report.rejected.append(Rejection(row.line, error.field, error.message))
            continue
        report.imported.append(ImportedRow(row.line, result))
    report.rejected.sort(key=lambda r: r.line)
    return report
