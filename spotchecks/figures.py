"""Spot-check figures for the monthly review (docs/architecture.md, "Service quality
control"): what the targets' indicators read. Both count reviews done in [start, end) by the
department the person was in when drawn (kept on the spot-check)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.models import SpotCheck


def reviewed(session: Session, department: str | None, start: datetime,
              end: datetime) -> list[SpotCheck]:
    query = (select(SpotCheck).where(col(SpotCheck.reviewed_at) >= start)
             .where(col(SpotCheck.reviewed_at) < end))
    if department is not None:
        query = query.where(SpotCheck.department == department)
    return list(session.exec(query))


def conformance(session: Session, department: str, start: datetime,
                end: datetime) -> float | None:
    """The share (0 to 1) of standard items passed in the spot-checks of the department's
    people reviewed in [start, end); None when none was reviewed."""
    total = passed = 0
    for row in reviewed(session, department, start, end):
        total += row.items_total or 0
        passed += row.items_passed or 0
    return passed / total if total else None


def failed_by_factor(session: Session, department: str | None, start: datetime,
                     end: datetime) -> dict[str, int]:
    """Failed items of the spot-checks reviewed in [start, end) by 5M1E factor (every
    department's when `department` is None), the most frequent first."""
    counts: dict[str, int] = {}
    for row in reviewed(session, department, start, end):
        for item in row.items:
            if not item.get("passed"):
                factor = str(item.get("factor") or "unknown")
                counts[factor] = counts.get(factor, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
