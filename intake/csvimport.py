"""Importing defects from a CSV file: every row checked, good rows recorded, bad rows listed.

The header names the columns (`supplier,part,defect_code,quantity,occurred_at,source,note`;
quantity, source and note may be left out). A file whose header is wrong is refused whole,
before anything is written. Otherwise the rows are checked one by one and each good row is
recorded in a transaction of its own, in file order (a later row of the same key counts on the
case an earlier row opened). A bad row is listed with its line number and field and never
half-written, and does not stop the good rows: an export of a thousand rows with one typo
should not have to be fixed before anything lands. This is the one exception to "a non-zero
exit writes nothing", and the report says so (`rejected`). Each row keeps an import key, so
importing the file again, once its bad rows are fixed, records only what is new (`skipped`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from capaflow import csvfiles
from capaflow.calendars import isoformat
from capaflow.csvfiles import Rejection, RowProblem, read_rows
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, CapaError
from capaflow.intake.classification import check_lot_size, parse_lot_size
from capaflow.intake.policy import IntakePolicy
from capaflow.intake.recurrence import (
    SUPPLIER_CODE_LIMIT,
    IntakeResult,
    check_code,
    check_note,
    check_source,
    parse_occurred_at,
    parse_quantity,
    record_defect,
)
from capaflow.models import DefectEvent

# lot_size (optional): the pieces the defective ones came from; README, "Batch versus sporadic".
COLUMNS = (
    "supplier", "part", "defect_code", "quantity", "occurred_at", "source", "note", "lot_size",
)
REQUIRED = ("supplier", "part", "defect_code", "occurred_at")
DEFAULT_SOURCE = "line"

_T = TypeVar("_T")


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
    lot_size: int | None = None


@dataclass(frozen=True)
class ImportedRow:
    line: int
    result: IntakeResult


@dataclass
class ImportReport(csvfiles.ImportReport):
    imported: list[ImportedRow] = field(default_factory=list)
    # Lines whose row an earlier import already recorded: nothing written, not an error.
    skipped: list[int] = field(default_factory=list)


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
    lot_size = checked(lambda: parse_lot_size(values.get("lot_size")))
    if lot_size is not None and quantity is not None:
        checked(lambda: check_lot_size(lot_size, quantity))
    if problems:
        return None, problems
    assert supplier is not None and part is not None and defect_code is not None
    assert quantity is not None and occurred_at is not None and source is not None
    return (
        DefectRow(
            line=line, supplier=supplier, part=part, defect_code=defect_code,
            quantity=quantity, occurred_at=occurred_at, source=source, note=note,
            lot_size=lot_size,
        ),
        [],
    )


def read_defect_rows(path: str | Path, *, now: datetime) -> tuple[list[DefectRow], list[Rejection]]:
    """Read and check the file: good rows and the rejections of the bad ones.

    BadInput (the whole file refused) when it cannot be read, is empty, or its header lacks a
    required column or names an unknown one.
    """
    good: list[DefectRow] = []
    rejected: list[Rejection] = []
    for item in read_rows(path, columns=COLUMNS, required=REQUIRED, what="a defect import"):
        if isinstance(item, RowProblem):
            rejected.append(Rejection(item.line, None, item.message))
            continue
        row, problems = _check_row(item.line, item.values, now)
        if row is not None:
            good.append(row)
        rejected.extend(problems)
    return good, rejected


def _import_key(row: DefectRow, seen: Counter[str]) -> str:
    """What makes a row the same row when the file is imported again: its content, and which
    of the file's identical rows it is (two identical lines are two defects, not one)."""
    content = "|".join((row.supplier, row.part, row.defect_code, str(row.quantity),
                        isoformat(row.occurred_at), row.source, row.note or ""))
    if row.lot_size is not None:
        # Only when given: a file exported before the column existed keeps its keys.
        content += f"|lot_size={row.lot_size}"
    seen[content] += 1
    return hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()


def import_defects(
    path: str | Path,
    *,
    transaction: Callable[[], AbstractContextManager[Session]],
    actor: str,
    now: datetime,
    policy: DeadlinePolicy,
    intake_policy: IntakePolicy,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Record every good row of the file, each in its own `transaction()`; list the bad ones.

    `progress(done, total)`: called after each good row (the CLI's progress bar).

    A row that passes the checks can still be refused when it is recorded (an unknown
    supplier, a concurrent update): its transaction rolls back and it is listed as rejected.
    """
    rows, rejected = read_defect_rows(path, now=now)
    report = ImportReport(file=str(path), rows=len(rows) + len({r.line for r in rejected}))
    report.rejected.extend(rejected)
    seen: Counter[str] = Counter()
    for done, row in enumerate(rows, start=1):
        if progress is not None:
            progress(done - 1, len(rows))
        key = _import_key(row, seen)
        try:
            with transaction() as session:
                if session.exec(
                    select(DefectEvent.id).where(DefectEvent.import_key == key)
                ).first() is not None:
                    report.skipped.append(row.line)
                    continue
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
                    import_key=key,
                    lot_size=row.lot_size,
                )
        except IntegrityError:
            # Another import of the same file recorded this row a moment ago.
            report.skipped.append(row.line)
            continue
        except CapaError as error:
            report.rejected.append(Rejection(row.line, error.field, error.message))
            continue
        report.imported.append(ImportedRow(row.line, result))
    if progress is not None:
        progress(len(rows), len(rows))
    report.rejected.sort(key=lambda r: r.line)
    return report


@dataclass(frozen=True)
class ImportSummary:
    """The import in a few figures, instead of a line per row."""

    rows: int
    recorded: int
    skipped: int
    cases_opened: int
    reopened: int
    counted: int
    batch: int
    sporadic: int
    rejected_lines: list[int]
    notices: int

    def as_json(self) -> dict[str, object]:
        return {"rows": self.rows, "recorded": self.recorded, "skipped": self.skipped,
                "cases_opened": self.cases_opened, "reopened": self.reopened,
                "counted_on_open_cases": self.counted, "batch": self.batch,
                "sporadic": self.sporadic, "rejected_lines": self.rejected_lines,
                "notices_queued": self.notices}


def summarize(report: ImportReport, *, notices: int) -> ImportSummary:
    """`notices`: the notices the import queued (counted by the caller, before and after)."""
    outcomes = Counter(row.result.outcome for row in report.imported)
    kinds = Counter(row.result.classification.kind for row in report.imported
                    if row.result.classification is not None)
    return ImportSummary(
        rows=report.rows, recorded=len(report.imported), skipped=len(report.skipped),
        cases_opened=outcomes["new_case"], reopened=outcomes["reopened"],
        counted=outcomes["occurrence"], batch=kinds["batch"], sporadic=kinds["sporadic"],
        rejected_lines=report.rejected_lines, notices=notices,
    )
