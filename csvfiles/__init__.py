"""Reading a CSV import the way every import here does: header checked, rows numbered; and
writing every CSV export the one safe way (`write_csv`: no cell a spreadsheet runs as a formula).

A file that cannot be read, is empty, is larger than MAX_BYTES, has a line longer than
MAX_LINE, or whose header lacks a required column or names an
unknown one is refused whole (BadInput) before anything is written. The rows come back in file
order, each with the line it starts on (the header being line 1), or as a problem of the row
as a whole (too many values, broken CSV); checking the values is the importer's job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from capaflow.errors import BadInput


@dataclass(frozen=True)
class Rejection:
    """One problem of one row; a row with several bad fields has one rejection per field."""

    line: int  # in the file, the header being line 1
    field: str | None  # None when the row as a whole is wrong (too many values)
    message: str
    # bad_input for a value; not_found and conflict for a row refused when it was recorded
    # (an unknown or blacklisted supplier, say).
    code: str = "bad_input"


@dataclass
class ImportReport:
    """What an import did; each importer adds what it imported and skipped."""

    file: str
    rows: int = 0  # data rows in the file, blank lines not counted
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({r.line for r in self.rejected})

    @property
    def complete(self) -> bool:
        return not self.rejected


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


# A CSV import is read as a stream and never whole: a file larger than MAX_BYTES or a line
# longer than MAX_LINE (`/dev/zero`, a binary file, a runaway export) is refused naming `file`
# instead of filling memory (docs/architecture.md, "Exit codes"). A 100,000-row defect export
# is about 15 MB and one row a few hundred characters: the limits are far above any real
# import and keep the rows read well within a small worker's memory. Characters are counted
# as read (UTF-8), close enough to bytes for a limit.
MAX_BYTES = 64 * 1024 * 1024
MAX_LINE = 1024 * 1024


def _open(path: Path) -> TextIO:
    try:
        # utf-8-sig: spreadsheets save CSV with a byte-order mark, which would otherwise
        # become part of the first column's name. newline="": line ends reach csv untouched,
        # so a quoted note may span lines and a Windows export's \r\n counts as one line.
        return path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise BadInput(f"file: {path} does not exist", field="file") from None
    except IsADirectoryError:
        raise BadInput(f"file: {path} is a directory, not a CSV file", field="file") from None
    except OSError as exc:
        raise BadInput(f"file: cannot read {path}: {exc.strerror}", field="file") from None


def _lines(path: Path, stream: TextIO) -> Iterator[str]:
    """The file's lines, refused (BadInput naming `file`) past the size or line limits."""
    total = 0
    while True:
        try:
            line = stream.readline(MAX_LINE + 1)
        except UnicodeDecodeError as exc:
            raise BadInput(
                f"file: {path} is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8",
                field="file",
            ) from None
        except OSError as exc:
            raise BadInput(f"file: cannot read {path}: {exc.strerror}", field="file") from None
        if not line:
            return
        if len(line) > MAX_LINE:
            raise BadInput(
                f"file: {path} has a line longer than {MAX_LINE} characters; is it a CSV file?",
                field="file",
            )
        total += len(line)
        if total > MAX_BYTES:
            raise BadInput(
                f"file: {path} is larger than {MAX_BYTES // (1024 * 1024)} MB; split it",
                field="file",
            )
        yield line


def _header(
    path: Path, names: list[str], columns: Sequence[str], required: Sequence[str], what: str
) -> list[str]:
    found = [name.strip().lower() for name in names]
    seen: set[str] = set()
    for name in found:
        if name not in columns:
            raise BadInput(
                f"{name or '(blank)'}: not a column of {what}; the header names "
                f"{', '.join(columns)}",
                field=name or "header",
            )
        if name in seen:
            raise BadInput(f"{name}: column named twice in the header of {path}", field=name)
        seen.add(name)
    for name in required:
        if name not in seen:
            raise BadInput(
                f"{name}: {path} has no column '{name}' (required: {', '.join(required)}; "
                f"header: {','.join(found)})",
                field=name,
            )
    return found


def read_rows(
    path: str | Path, *, columns: Sequence[str], required: Sequence[str], what: str
) -> list[Row | RowProblem]:
    """The file's rows in order, as values by column name, or as problems of a whole row."""
    path = Path(path)
    with _open(path) as stream:
        return _read(path, _lines(path, stream), columns, required, what)


def _read(
    path: Path,
    lines: Iterator[str],
    columns: Sequence[str],
    required: Sequence[str],
    what: str,
) -> list[Row | RowProblem]:
    reader = csv.reader(lines)
    try:
        names = next(reader)
    except StopIteration:
        raise BadInput(
            f"file: {path} is empty; its first line must be the header {','.join(columns)}",
            field="file",
        ) from None
    except csv.Error as exc:
        raise BadInput(f"file: line 1 of {path}: {exc}", field="file") from None
    header = _header(path, names, columns, required, what)
    rows: list[Row | RowProblem] = []
    last_line = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # csv gives up on the rest of the file after a broken quote; what it read is kept.
            rows.append(RowProblem(last_line + 1, f"not valid CSV: {exc}"))
            break
        # A row's number is the line it starts on: a quoted value may span several lines.
        line, last_line = last_line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines and the empty rows spreadsheets leave at the end
        if any(v.strip() for v in values[len(header):]):
            rows.append(RowProblem(
                line, f"{len(values)} values, but the header names {len(header)} columns"
            ))
            continue
        rows.append(Row(line, dict(zip(header, values, strict=False))))
    return rows


# -- writing ------------------------------------------------------------------------------------
# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), +cmd|'/c calc'!A1, @SUM(...)), and a leading tab or CR hides one. OWASP's
# "CSV Injection" advice: prefix such a text cell with a single quote, which the spreadsheet
# shows as text. Numbers (int, float, Decimal) are written as they are: a negative amount is
# a number, not a formula, and must stay one to be summed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The cell as it may be exported: a text that would start a formula gets a leading '.

    A carriage return inside a text becomes a line feed: csv quotes a cell holding the line
    terminator ("\\n") but not a lone CR, which would split the row for a reader."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (header, then the rows, "\\n" line ends) with every cell neutralised:
    every CSV the project writes goes through here."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(name) for name in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()
