"""The demo's people: a quality lead, a service manager (the service desk) and a supplier's
quality engineer, with passwords that
`make run` prints. For a machine that only listens on 127.0.0.1; a real site adds its own
users (`capa user add`) and disables these (`capa user disable`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from capaflow.accounts import add_user
from capaflow.models import Supplier, User


@dataclass(frozen=True)
class DemoAccount:
    name: str
    password: str
    role: str
    supplier: str | None
    who: str


DEMO_ACCOUNTS = (
    DemoAccount("lena", "lena-demo-2026", "quality_lead", None, "quality lead"),
    DemoAccount("sam", "sam-demo-2026", "service_manager", None,
                "service manager (the service desk)"),
    DemoAccount("acme-sqe", "acme-demo-2026", "supplier", "ACME",
                "Acme Stamping's quality engineer (supplier portal)"),
)


def seed_accounts(session: Session, *, now: datetime) -> list[DemoAccount]:
    """Add the demo accounts to a database that has no users yet and holds the demo supplier;
    a site with people of its own is left alone."""
    if session.exec(select(func.count()).select_from(User)).one():
        return []
    suppliers = set(session.exec(select(Supplier.code)).all())
    added = []
    for account in DEMO_ACCOUNTS:
        if account.supplier is not None and account.supplier not in suppliers:
            continue
        add_user(session, name=account.name, role=account.role, password=account.password,
                 now=now, supplier_code=account.supplier)
        added.append(account)
    return added
