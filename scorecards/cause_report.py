"""Opening the written cause report a grade drop asks of a supplier, as a case."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from capaflow.casework.engine import open_case
from capaflow.deadlines.policy import DeadlinePolicy


def open_cause_report(
    session: Session, *, code: str, month: str, why: str, actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> tuple[int, datetime]:
    """Open the report's case for supplier `code`; its id and when the report is due.

    `policy` is required: the deadline policies in force for the run (a site's --config
    included), never the environment's.
    """
    result = open_case(
        session, lifecycle="cause_report",
        title=f"Written cause report of {code}: {why} ({month})"[:300],
        supplier_code=code, part=None, defect_code=None, severity="major",
        complex_cause=False, owner=None, team=None,
        problem=f"The monthly grade of {month}: {why}. Explain the cause and what you do.",
        actor=actor, now=now, policy=policy,
    )
    assert result.case.id is not None
    report = next(d for d in result.deadlines.started if d.key == "report")
    return result.case.id, report.due_at
