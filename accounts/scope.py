"""What a principal may see: a supplier only its own cases, lots and grades.

Another supplier's record answers exactly as a record that does not exist (the same NotFound,
the same message), so a supplier guessing numbers learns nothing. The API, the pages and the
submissions service all ask here.
"""

from __future__ import annotations

from sqlmodel import Session

from capaflow.accounts.tokens import Principal
from capaflow.errors import NotFound, case_not_found, supplier_not_found
from capaflow.models import Case, InspectionLot, Supplier
from capaflow.models.queries import read_case
from capaflow.suppliers.registry import get_supplier


def visible_case(session: Session, principal: Principal, case_id: int) -> Case:
    """The case, read-only (a detached copy: models.queries.read_case)."""
    case = read_case(session, case_id)
    if case is None or (principal.is_supplier and case.supplier_id != principal.supplier_id):
        raise case_not_found(case_id)
    return case


def visible_supplier(session: Session, principal: Principal, code: str) -> Supplier:
    if principal.is_supplier and code != principal.supplier_code:
        raise supplier_not_found(code)
    return get_supplier(session, code)


def visible_lot(session: Session, principal: Principal, lot_id: int) -> InspectionLot:
    lot = session.get(InspectionLot, lot_id)
    if lot is None or (principal.is_supplier and lot.supplier_id != principal.supplier_id):
        raise NotFound(f"lot {lot_id} does not exist", field="lot")
    return lot


def supplier_filter(principal: Principal, code: str | None) -> str | None:
    """The supplier code a list is limited to: a supplier's own, whatever it asked for."""
    if principal.is_supplier:
        if code is not None and code != principal.supplier_code:
            raise supplier_not_found(code)
        return principal.supplier_code
    return code
