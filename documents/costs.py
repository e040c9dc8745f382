"""Charge-back: a cost recorded on a case (`capa cost add|list --json`, GET/POST
/cases/{id}/costs) and a supplier's monthly statement (`capa chargeback --json`, GET
/chargeback).

Money is a string ("120.50"): a JSON number would be a float to most readers, and money is not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from capaflow.documents.base import Public, Timestamp
from capaflow.models import CaseCost

# What the document reads of chargeback.Statement and StatementLine, by shape: read models
# import only rules and models (docs/architecture.md, "Layers"), so any object with these
# attributes will do.


class StatementLine(Protocol):
    @property
    def case_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def part(self) -> str | None: ...
    @property
    def defect_code(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def costs(self) -> int: ...


class Statement(Protocol):
    @property
    def supplier(self) -> str: ...
    @property
    def month(self) -> str: ...
    @property
    def lines(self) -> Sequence[StatementLine]: ...
    @property
    def totals(self) -> Mapping[str, Decimal]: ...


class CostPublic(Public):
    id: int
    case: int
    kind: str
    amount: str
    currency: str
    incurred_at: Timestamp
    note: str | None
    recorded_by: str
    recorded_at: Timestamp


class StatementLinePublic(Public):
    """The costs of one kind on one case, summed (`costs`: how many)."""

    case: int
    title: str
    part: str | None
    defect_code: str | None
    kind: str
    costs: int
    amount: str
    currency: str


class StatementPublic(Public):
    supplier: str
    month: str
    lines: list[StatementLinePublic]
    # By currency.
    totals: dict[str, str]


def cost_document(cost: CaseCost) -> CostPublic:
    assert cost.id is not None  # shown once stored
    return CostPublic(
        id=cost.id, case=cost.case_id, kind=cost.kind, amount=f"{cost.amount:.2f}",
        currency=cost.currency, incurred_at=cost.incurred_at, note=cost.note,
        recorded_by=cost.recorded_by, recorded_at=cost.recorded_at,
    )


def statement_document(statement: Statement) -> StatementPublic:
    return StatementPublic(
        supplier=statement.supplier,
        month=statement.month,
        lines=[
            StatementLinePublic(case=ln.case_id, title=ln.title, part=ln.part,
                                defect_code=ln.defect_code, kind=ln.kind, costs=ln.costs,
                                amount=f"{ln.amount}", currency=ln.currency)
            for ln in statement.lines
        ],
        totals={currency: f"{amount}" for currency, amount in statement.totals.items()},
    )
