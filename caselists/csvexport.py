"""Lists as CSV for a spreadsheet: standard quoting (csv.QUOTE_MINIMAL over every field) and
safe against formula injection: a cell that a spreadsheet would run as a formula (starting
with = + - @, or a tab or carriage return) is written with a leading apostrophe, so a
supplier's text such as "=HYPERLINK(...)" stays text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from capaflow.calendars import readable
from capaflow.caselists.filters import state_words
from capaflow.caselists.search import CaseRow

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One value as a safe CSV cell: times as people read them, none as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return readable(value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document: a header row of readable words, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in headers])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


CASE_HEADERS = (
    "Case", "Type", "State", "Title", "Supplier", "Part", "Defect code", "Severity", "Owner",
    "Opened (UTC)", "Next owed", "Due (UTC)", "Late", "Submissions waiting", "Closed (UTC)",
)


def cases_csv(rows: Iterable[CaseRow]) -> str:
    """The case list's rows, one line per case, headers in the quality lead's words."""
    return to_csv(CASE_HEADERS, (
        (
            row.case.id, row.case.lifecycle.upper(),
            state_words(row.case.lifecycle, row.case.state), row.case.title,
            row.supplier_code, row.case.part, row.case.defect_code, row.case.severity,
            row.case.owner, row.case.opened_at, row.next_title, row.next_due, row.overdue,
            row.submissions_waiting, row.case.closed_at,
        )
        for row in rows
    ))
