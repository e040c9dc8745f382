"""Importing inspected lots from a CSV file: rows checked, good rows recorded, bad rows listed.

Header: `supplier,part,lot,lot_size,sampled,defects,defect_code,aql,level,inspected_at`, and
optionally the delivery's documents `outgoing_report,certificates,production_lot`
(defect_code, aql, level and the documents may be left out or blank: defect_code is needed only
for a rejected lot, aql and level default to the `[inspection]` policy, a blank document is
"not recorded", inspection.delivery). A file whose header is wrong is refused whole, before
anything is written.

Rows are recorded in file order, each in its own transaction: the order matters, because the
switching rules (ISO 2859-1 clause 9) count consecutive lots. A bad row is listed with its
line number and field and never half-written, and does not stop the good rows. A lot already
recorded (same supplier, part and lot) is skipped, not an error: importing the same file twice
adds nothing and still exits 0.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session

from capaflow import csvfiles
from capaflow.csvfiles import Rejection, RowProblem, read_rows
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, CapaError, check_text
from capaflow.inspection.delivery import Delivery
from capaflow.inspection.lots import DuplicateLot, LotResult, record_lot
from capaflow.inspection.policy import InspectionPolicy
from capaflow.inspection.values import (
    PRODUCTION_LOT_LIMIT,
    check_aql,
    check_level,
    check_lot_counts,
    parse_count,
    parse_inspected_at,
    parse_yes_no,
)
from capaflow.intake import IntakePolicy
from capaflow.intake.recurrence import SUPPLIER_CODE_LIMIT, check_code

COLUMNS = (
    "supplier", "part", "lot", "lot_size", "sampled", "defects", "defect_code", "aql", "level",
    "inspected_at", "outgoing_report", "certificates", "production_lot",
)
REQUIRED = ("supplier", "part", "lot", "lot_size", "sampled", "defects", "inspected_at")

_T = TypeVar("_T")


@dataclass(frozen=True)
class LotRow:
    line: int
    supplier: str
    part: str
    lot: str
    lot_size: int
    sampled: int
    defects: int
    defect_code: str | None
    aql: str | None
    level: str | None
    inspected_at: datetime
    delivery: Delivery = Delivery()


@dataclass(frozen=True)
class ImportedLot:
    line: int
    result: LotResult


@dataclass(frozen=True)
class SkippedLot:
    """A row whose lot was already recorded: nothing written, not an error."""

    line: int
    supplier: str
    part: str
    lot: str
    recorded_at: datetime


@dataclass
class LotImportReport(csvfiles.ImportReport):
    imported: list[ImportedLot] = field(default_factory=list)
    skipped: list[SkippedLot] = field(default_factory=list)


def _check_row(
    line: int, values: dict[str, str], now: datetime
) -> tuple[LotRow | None, list[Rejection]]:
    """The row's values read, or every problem it has (so one pass fixes the file)."""
    problems: list[Rejection] = []

    def checked(read: Callable[[], _T]) -> _T | None:
        try:
            return read()
        except BadInput as error:
            problems.append(Rejection(line, error.field, error.message))
            return None

    def optional(name: str) -> str | None:
        text = values.get(name, "").strip()
        return text or None

    supplier = checked(
        lambda: check_code("supplier", values.get("supplier"), limit=SUPPLIER_CODE_LIMIT)
    )
    part = checked(lambda: check_code("part", values.get("part")))
    lot = checked(lambda: check_code("lot", values.get("lot")))
    lot_size = checked(lambda: parse_count("lot_size", values.get("lot_size"), minimum=2))
    sampled = checked(lambda: parse_count("sampled", values.get("sampled"), minimum=1))
    defects = checked(lambda: parse_count("defects", values.get("defects"), minimum=0))
    if lot_size is not None and sampled is not None and defects is not None:
        checked(lambda: check_lot_counts(lot_size, sampled, defects))
    defect_code_text = optional("defect_code")
    defect_code = (
        checked(lambda: check_code("defect_code", defect_code_text))
        if defect_code_text is not None else None
    )
    aql_text, level_text = optional("aql"), optional("level")
    aql = checked(lambda: check_aql(aql_text)) if aql_text is not None else None
    level = checked(lambda: check_level(level_text)) if level_text is not None else None
    inspected_text = values.get("inspected_at", "")
    if inspected_text.strip():
        inspected_at = checked(lambda: parse_inspected_at(inspected_text, now))
    else:
        inspected_at = None
        problems.append(Rejection(
            line, "inspected_at", "inspected_at: must not be empty (ISO-8601 with offset)"
        ))
    delivery = Delivery(
        outgoing_report=checked(lambda: parse_yes_no("outgoing_report",
                                                     values.get("outgoing_report"))),
        certificates=checked(lambda: parse_yes_no("certificates", values.get("certificates"))),
        production_lot=checked(lambda: check_text("production_lot", values.get("production_lot"),
                                                  limit=PRODUCTION_LOT_LIMIT)),
    )
    if problems:
        return None, problems
    assert supplier is not None and part is not None and lot is not None
    assert lot_size is not None and sampled is not None and defects is not None
    assert inspected_at is not None
    return (
        LotRow(
            line=line, supplier=supplier, part=part, lot=lot, lot_size=lot_size,
            sampled=sampled, defects=defects, defect_code=defect_code, aql=aql, level=level,
            inspected_at=inspected_at, delivery=delivery,
        ),
        [],
    )


def read_lot_rows(path: str | Path, *, now: datetime) -> tuple[list[LotRow], list[Rejection]]:
    """Read and check the file: good rows and the rejections of the bad ones.

    BadInput (the whole file refused) when it cannot be read, is empty, or its header lacks a
    required column or names an unknown one.
    """
    good: list[LotRow] = []
    rejected: list[Rejection] = []
    for item in read_rows(path, columns=COLUMNS, required=REQUIRED, what="an inspection import"):
        if isinstance(item, RowProblem):
            rejected.append(Rejection(item.line, None, item.message))
            continue
        row, problems = _check_row(item.line, item.values, now)
        if row is not None:
            good.append(row)
        rejected.extend(problems)
    return good, rejected


def import_lots(
    path: str | Path,
    *,
    transaction: Callable[[], AbstractContextManager[Session]],
    actor: str,
    now: datetime,
    policy: InspectionPolicy,
    intake_policy: IntakePolicy,
    deadline_policy: DeadlinePolicy,
) -> LotImportReport:
    """Record every good row of the file, each in its own `transaction()`; list the bad ones.

    A row that passes the checks can still be refused when it is recorded (unknown supplier,
    blacklisted supplier, discontinued part, a sample smaller than the plan's): its
    transaction rolls back and it is listed as rejected. A lot already recorded is skipped.
    """
    rows, rejected = read_lot_rows(path, now=now)
    report = LotImportReport(file=str(path), rows=len(rows) + len({r.line for r in rejected}))
    report.rejected.extend(rejected)
    for row in rows:
        try:
            with transaction() as session:
                result = record_lot(
                    session,
                    supplier_code=row.supplier,
                    part=row.part,
                    lot=row.lot,
                    lot_size=row.lot_size,
                    sampled=row.sampled,
                    defects=row.defects,
                    defect_code=row.defect_code,
                    aql=row.aql,
                    level=row.level,
                    inspected_at=row.inspected_at,
                    now=now,
                    policy=policy,
                    intake_policy=intake_policy,
                    actor=actor,
                    deadline_policy=deadline_policy,
                    outgoing_report=row.delivery.outgoing_report,
                    certificates=row.delivery.certificates,
                    production_lot=row.delivery.production_lot,
                )
        except DuplicateLot as duplicate:
            report.skipped.append(SkippedLot(
                row.line, row.supplier, row.part, row.lot, duplicate.recorded_at
            ))
            continue
        except CapaError as error:
            report.rejected.append(Rejection(row.line, error.field, error.message, error.code))
            continue
        report.imported.append(ImportedLot(row.line, result))
    report.rejected.sort(key=lambda r: r.line)
    return report


@dataclass(frozen=True)
class LotImportSummary:
    """A lot import in a few figures, for a page (the CLI prints the same counts)."""

    rows: int
    imported: int
    accepted: int
    not_accepted: int
    skipped: int
    switched: int  # lots that moved their part to another inspection severity
    cases: list[int]  # the cases a rejected lot opened or counted on
    flagged: list[int]  # lines whose delivery documents or production-lot order were flagged
    rejected_lines: list[int]


def summarize_lots(report: LotImportReport) -> LotImportSummary:
    imported = [row.result for row in report.imported]
    return LotImportSummary(
        rows=report.rows, imported=len(imported),
        accepted=sum(1 for r in imported if r.accepted),
        not_accepted=sum(1 for r in imported if not r.accepted),
        skipped=len(report.skipped),
        switched=sum(1 for r in imported if r.switches),
        cases=sorted({r.case_id for r in imported if r.case_id is not None}),
        flagged=[row.line for row in report.imported
                 if row.result.delivery.missing or row.result.delivered_after is not None],
        rejected_lines=report.rejected_lines,
    )
