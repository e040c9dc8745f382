"""The monthly charge-back statement of a supplier: the document sent to it.

Per case and kind, and totals per currency: amounts in different currencies are never added
together (no exchange rate is known here, and the supplier pays each in its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session
from sqlmodel import select as select_rows

from capaflow.csvfiles import write_csv
from capaflow.errors import supplier_not_found
from capaflow.models import Case, CaseCost, Supplier
from capaflow.scorecards import months

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StatementLine:
    case_id: int
    title: str
    part: str | None
    defect_code: str | None
    kind: str
    currency: str
    amount: Decimal
    costs: int  # how many recorded costs the line sums


@dataclass(frozen=True)
class Statement:
    supplier: str
    supplier_name: str
    month: str
    lines: tuple[StatementLine, ...]
    totals: dict[str, Decimal]  # by currency, sorted


def build_statement(
    session: Session, *, supplier_code: str, month: str, now: datetime, zone: ZoneInfo
) -> Statement:
    """Every cost of the supplier's cases incurred in `month` (on the site's calendar)."""
    month = months.check_not_future(month, now, zone)
    found = session.exec(select_rows(Supplier).where(Supplier.code == supplier_code)).first()
    if found is None:
        raise supplier_not_found(supplier_code)
    start, end = months.bounds(month, zone)
    costs, cases = CaseCost.__table__, Case.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(
        select(cases.c.id, cases.c.title, cases.c.part, cases.c.defect_code, costs.c.kind,
               costs.c.currency, func.sum(costs.c.amount), func.count())
        .join(cases, cases.c.id == costs.c.case_id)
        .where(cases.c.supplier_id == found.id)
        .where(costs.c.incurred_at >= start, costs.c.incurred_at < end)
        .group_by(cases.c.id, cases.c.title, cases.c.part, cases.c.defect_code, costs.c.kind,
                  costs.c.currency)
        .order_by(cases.c.id, costs.c.kind, costs.c.currency)
    ).all()
    lines = tuple(
        StatementLine(case_id=r[0], title=r[1], part=r[2], defect_code=r[3], kind=r[4],
                      currency=r[5], amount=Decimal(r[6]).quantize(ZERO), costs=r[7])
        for r in rows
    )
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.currency] = totals.get(line.currency, ZERO) + line.amount
    return Statement(supplier=found.code, supplier_name=found.name, month=month, lines=lines,
                     totals=dict(sorted(totals.items())))


def to_markdown(statement: Statement) -> str:
    out = [
        f"# Charge-back statement: {statement.supplier} ({statement.supplier_name}), "
        f"{statement.month}",
        "",
        "Costs of defects caused by the supplier, charged back to it (line stop, rework, "
        "sorting, scrap).",
        "",
    ]
    if statement.lines:
        out += ["| case | title | part | defect | kind | costs | amount | currency |",
                "| ---: | --- | --- | --- | --- | ---: | ---: | --- |"]
        out += [
            f"| #{ln.case_id} | {_cell(ln.title)} | {_cell(ln.part or '-')} | "
            f"{_cell(ln.defect_code or '-')} | {ln.kind} | {ln.costs} | {ln.amount} | "
            f"{ln.currency} |"
            for ln in statement.lines
        ]
        out.append("")
    else:
        out += ["No costs were incurred in this month.", ""]
    out += ["## Totals", ""]
    if statement.totals:
        out += [f"- **{amount} {currency}**" for currency, amount in statement.totals.items()]
    else:
        out.append(f"- **{ZERO}**")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    # A pipe in a case title would split the Markdown table's row.
    return text.replace("|", "\\|").replace("\n", " ")


def to_csv(statement: Statement) -> str:
    """One row per case and kind, then one "total" row per currency; cells neutralised
    against formulas (csvfiles.write_csv)."""
    rows: list[list[object]] = [
        [statement.supplier, statement.month, ln.case_id, ln.title, ln.kind, ln.costs,
         ln.amount, ln.currency]
        for ln in statement.lines
    ]
    # An empty month still states its (zero) total, so a script reading it finds the row.
    totals = statement.totals or {"": ZERO}
    rows += [[statement.supplier, statement.month, "", "", "total", "", amount, currency]
             for currency, amount in totals.items()]
    return write_csv(["supplier", "month", "case", "title", "kind", "costs", "amount",
                      "currency"], rows)
