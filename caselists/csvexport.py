"""Lists as CSV for a spreadsheet, written by csvfiles.write_csv (standard quoting, and safe
against formula injection: a cell a spreadsheet would run as a formula gets a leading
apostrophe, so a supplier's text such as "=HYPERLINK(...)" stays text). Here: each value as a
person reads it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from capaflow.calendars import readable
from capaflow.caselists.filters import state_words
from capaflow.caselists.search import CaseRow
from capaflow.csvfiles import write_csv


def cell(value: object) -> object:
    """One value for a cell: times as people read them, yes/no, none as empty; numbers and
    text as they are (write_csv neutralises the text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return readable(value)
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document: a header row of readable words, then the rows."""
    return write_csv(list(headers), ([cell(v) for v in row] for row in rows))


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
