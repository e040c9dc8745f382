"""Costs per case, checked before anything is written (exit 2 naming the field, 3 not found)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from capaflow.errors import BadInput, check_text
from capaflow.models import CaseCost
from capaflow.models.queries import get_case

KINDS = ("sorting", "rework", "line_stop", "scrap", "other")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Numeric(14, 2): twelve digits before the point.
_MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")


_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?", re.ASCII)


def parse_amount(text: str) -> Decimal:
    """A positive amount with at most 2 decimals; never rounded, so nobody is billed a
    different figure than the one typed."""
    # Plain ASCII digits only: Decimal also takes "1E+100" (which then fails to round) and
    # other scripts' digits ("١٢"), neither of which anyone means on an invoice.
    if not isinstance(text, str) or not _PLAIN_NUMBER.fullmatch(text.strip()):
        raise BadInput(f"amount: '{text}' is not a number such as 120.50", field="amount")
    amount = Decimal(text.strip())
    if amount <= 0:
        raise BadInput(f"amount: must be more than 0 (got {text})", field="amount")
    if amount > _MAX_AMOUNT:
        raise BadInput(f"amount: at most {_MAX_AMOUNT} (got {text})", field="amount")
    if amount != amount.quantize(CENT):
        raise BadInput(f"amount: at most 2 decimal places (got {text})", field="amount")
    return amount.quantize(CENT)


def parse_currency(text: str) -> str:
    code = text.strip().upper()
    if not _CURRENCY.match(code):
        raise BadInput(
            f"currency: '{text}' is not an ISO 4217 code of 3 letters such as EUR", field="currency"
        )
    return code


def add_cost(
    session: Session,
    *,
    case_id: int,
    kind: str,
    amount: str,
    currency: str,
    incurred_at: datetime | None,
    note: str | None,
    actor: str,
    now: datetime,
) -> CaseCost:
    """Record one cost of a supplier's case (what is charged back to that supplier)."""
    kind_name = kind.strip().lower()
    if kind_name not in KINDS:
        raise BadInput(f"kind: '{kind}' is not one of {', '.join(KINDS)}", field="kind")
    value = parse_amount(amount)
    code = parse_currency(currency)
    at = incurred_at or now
    if at > now:
        raise BadInput("at: a cost cannot be incurred in the future", field="at")
    note_text = check_text("note", note, limit=2000)
    case = get_case(session, case_id)
    if case.supplier_id is None:
        # Charge-back bills a supplier; a cost on a case without one has nobody to go to.
        raise BadInput(f"case: case {case_id} has no supplier to charge back to", field="case")
    cost = CaseCost(case_id=case_id, kind=kind_name, amount=value, currency=code,
                    incurred_at=at, note=note_text, recorded_by=actor, recorded_at=now)
    session.add(cost)
    session.flush()
    return cost


def case_costs(session: Session, case_id: int) -> list[CaseCost]:
    get_case(session, case_id)  # an unknown case is NotFound, not an empty list
    return list(session.exec(
        select(CaseCost).where(CaseCost.case_id == case_id)
        .order_by(col(CaseCost.incurred_at), col(CaseCost.id))
    ).all())
