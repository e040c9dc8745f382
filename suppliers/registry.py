"""Adding, finding and listing suppliers."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.errors import BadInput, Conflict, supplier_not_found
from capaflow.models import Case, Supplier
from capaflow.notifications import urls

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")



def add_supplier(
    session: Session,
    *,
    code: str,
    name: str,
    contact: str | None,
    quality_head: str | None,
    executive: str | None,
    now: datetime,
) -> Supplier:
    if not _CODE.match(code):
        raise BadInput(
            f"code: '{code}' must be 1-40 letters, digits, '.', '_' or '-'", field="code"
        )
    if not name.strip():
        raise BadInput("name: the supplier needs a name", field="name")
    if find_supplier(session, code) is not None:
        raise Conflict(f"code: supplier '{code}' already exists", field="code")
    supplier = Supplier(
        code=code,
        name=name.strip(),
        contact_url=urls.check_url("contact", contact),
        quality_head_url=urls.check_url("quality_head", quality_head),
        executive_url=urls.check_url("executive", executive),
        created_at=now,
    )
    session.add(supplier)
    session.flush()
    return supplier


def supplier_of(session: Session, case: Case) -> Supplier | None:
    """The case's supplier; None for a case without one."""
    return session.get(Supplier, case.supplier_id) if case.supplier_id is not None else None


def find_supplier(session: Session, code: str) -> Supplier | None:
    if "\x00" in code:  # no code holds one, and PostgreSQL would refuse the query
        return None
    return session.exec(select(Supplier).where(Supplier.code == code)).first()


def get_supplier(session: Session, code: str) -> Supplier:
    supplier = find_supplier(session, code)
    if supplier is None:
        raise supplier_not_found(code)
    return supplier


def list_suppliers(session: Session) -> list[Supplier]:
    return list(session.exec(select(Supplier).order_by(col(Supplier.code))))
