"""Adding, finding and listing suppliers."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.audittrail.decisions import chain_decision
from capaflow.errors import BadInput, Conflict, supplier_not_found
from capaflow.models import Case, Supplier, SupplierDecision
from capaflow.notifications import urls

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
# The supplier's people, by the field a form or option names and the column holding the URL.
CONTACT_FIELDS = {
    "contact": "contact_url",
    "quality_head": "quality_head_url",
    "executive": "executive_url",
}
# The decision recorded in the supplier's chain when its name or contacts change.
CONTACTS_UPDATED = "contacts_updated"


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


def update_supplier(
    session: Session,
    *,
    code: str,
    actor: str,
    now: datetime,
    name: str | None = None,
    contact: str | None = None,
    quality_head: str | None = None,
    executive: str | None = None,
) -> tuple[Supplier, SupplierDecision | None]:
    """Change a supplier's name or whom to reach there; each argument left None stays as it
    is, and an empty string clears a contact.

    Every change is a decision in the supplier's hash chain (audittrail.decisions), naming
    the fields and their old and new values, URLs masked (they may hold secrets). Nothing
    changed: no decision, the supplier as it was. Bad input names the field and writes
    nothing (every value is checked before the row is touched).
    """
    supplier = get_supplier(session, code)
    wanted: dict[str, str | None] = {}
    if name is not None:
        if not name.strip():
            raise BadInput("name: the supplier needs a name", field="name")
        if len(name.strip()) > 200:
            raise BadInput("name: at most 200 characters", field="name")
        wanted["name"] = name.strip()
    given = {"contact": contact, "quality_head": quality_head, "executive": executive}
    for field, value in given.items():
        if value is not None:
            wanted[CONTACT_FIELDS[field]] = urls.check_url(field, value)
    changes: list[str] = []
    for column, value in wanted.items():
        before = getattr(supplier, column)
        if before == value:
            continue
        if column == "name":
            changes.append(f"name: '{before}' -> '{value}'")
        else:
            label = column.removesuffix("_url")
            old, new = urls.mask(before) or "none", urls.mask(value) or "none"
            changes.append(f"{label}: {old} -> {new}")
        setattr(supplier, column, value)
    if not changes:
        return supplier, None
    assert supplier.id is not None
    decision = SupplierDecision(supplier_id=supplier.id, decision=CONTACTS_UPDATED,
                                reason="; ".join(changes)[:1000], actor=actor, at=now)
    # Chained before it is written, like the blacklist's decisions (docs/architecture.md,
    # "Master data").
    chain_decision(session, decision)
    session.add(supplier)
    session.add(decision)
    session.flush()
    return supplier, decision
