"""Reading stored grades back (`capa scorecard show`, the charts) and the defect Pareto data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel import Session

from capaflow.errors import BadInput
from capaflow.models import DefectEvent, InspectionLot, Scorecard, Supplier, SupplierEscalation
from capaflow.scorecards import months
from capaflow.scorecards.grading import COUNTED_DEFECT
from capaflow.scorecards.policy import ScorecardPolicy
from capaflow.suppliers.registry import get_supplier

_scorecards: Table = Scorecard.__table__  # type: ignore[attr-defined]
_suppliers: Table = Supplier.__table__  # type: ignore[attr-defined]
_escalations: Table = SupplierEscalation.__table__  # type: ignore[attr-defined]
_defects: Table = DefectEvent.__table__  # type: ignore[attr-defined]
_lots: Table = InspectionLot.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class GradedMonth:
    code: str
    month: str
    # Both None for a month not graded, `not_graded_reason` saying why.
    score: float | None
    grade: str | None
    components: dict[str, Any]
    computed_at: datetime
    # Every rule fired for this supplier and month, by any run: {"rule", "actions", "at"}.
    escalations: list[dict[str, Any]]
    not_graded_reason: str | None = None

    @property
    def graded(self) -> bool:
        return self.grade is not None


def check_months(count: int) -> int:
    if count < 1 or count > 1200:
        raise BadInput(f"months: must be 1 to 1200, got {count}", field="months")
    return count


def list_scorecards(
    session: Session, *, code: str | None, count: int, now: datetime, policy: ScorecardPolicy
) -> list[GradedMonth]:
    """The grades of the last `count` months up to `now`'s month, by supplier, oldest first."""
    check_months(count)
    supplier = get_supplier(session, code) if code is not None else None
    last = months.month_of(now, policy.calendar.zone)
    first = months.shift(last, -(count - 1))
    query = (
        select(_suppliers.c.code, _scorecards)
        .join(_suppliers, _suppliers.c.id == _scorecards.c.supplier_id)
        .where(_scorecards.c.month >= first, _scorecards.c.month <= last)
        .order_by(_suppliers.c.code, _scorecards.c.month)
    )
    fired = select(_escalations).where(
        _escalations.c.month >= first, _escalations.c.month <= last
    )
    if supplier is not None:
        query = query.where(_scorecards.c.supplier_id == supplier.id)
        fired = fired.where(_escalations.c.supplier_id == supplier.id)
    connection = session.connection()
    by_month: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in connection.execute(fired.order_by(_escalations.c.id)).mappings():
        by_month.setdefault((row["supplier_id"], row["month"]), []).append(
            {"rule": row["rule"], "actions": list(row["actions"]), "at": row["created_at"]}
        )
    return [
        GradedMonth(
            code=row["code"], month=row["month"], score=row["score"], grade=row["grade"],
            components=dict(row["components"]), computed_at=row["computed_at"],
            escalations=by_month.get((row["supplier_id"], row["month"]), []),
            not_graded_reason=row["not_graded_reason"],
        )
        for row in connection.execute(query).mappings()
    ]


def defect_pareto(
    session: Session, *, supplier_id: int, start: datetime | None, end: datetime
) -> list[tuple[str, int]]:
    """Defective pieces per defect code in [start, end), most first (ties by code).

    Incoming inspection counts through the lots' defects; the line, customers and incoming
    defects recorded by hand through defect events (not the event a rejected lot's inspection
    writes: it would count the same lot twice).
    """
    counts: dict[str, int] = {}
    line = (
        select(_defects.c.defect_code, func.sum(_defects.c.quantity))
        .where(_defects.c.supplier_id == supplier_id, _defects.c.occurred_at < end,
               COUNTED_DEFECT)
        .group_by(_defects.c.defect_code)
    )
    incoming = (
        select(_lots.c.defect_code, func.sum(_lots.c.defects))
        .where(_lots.c.supplier_id == supplier_id, _lots.c.inspected_at < end,
               _lots.c.defect_code.is_not(None), _lots.c.defects > 0)
        .group_by(_lots.c.defect_code)
    )
    if start is not None:
        line = line.where(_defects.c.occurred_at >= start)
        incoming = incoming.where(_lots.c.inspected_at >= start)
    connection = session.connection()
    for statement in (line, incoming):
        for code, pieces in connection.execute(statement):
            counts[code] = counts.get(code, 0) + int(pieces or 0)
    found = [(code, pieces) for code, pieces in counts.items() if pieces > 0]
    return sorted(found, key=lambda item: (-item[1], item[0]))
