"""Building suppliers, cases and notices straight in the database, and running dispatch."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from capaflow.models import Case, Notification, Supplier
from capaflow.models.db import get_engine, session_scope
from capaflow.notifications.dispatch import DispatchReport, dispatch
from capaflow.notifications.notifier import Notifier
from capaflow.notifications.routing import Routes
from tests.conftest import T0

S = timedelta(seconds=1)

LEAD = "json://127.0.0.1:9/lead"
MANAGER = "json://127.0.0.1:9/manager"
LENA = "json://127.0.0.1:9/people/lena"
ACME_CONTACT = "json://127.0.0.1:9/acme/contact"
ACME_HEAD = "json://127.0.0.1:9/acme/head"
ACME_EXECUTIVE = "json://127.0.0.1:9/acme/executive"

ROUTES = Routes(
    roles={"quality_lead": (LEAD,), "quality_manager": (MANAGER,)},
    people={"lena": (LENA,)},
    source="routes.toml",
)


def add_supplier(url: str, code: str = "ACME", **urls: str | None) -> int:
    values: dict[str, Any] = {"contact_url": ACME_CONTACT, "quality_head_url": ACME_HEAD,
                              "executive_url": ACME_EXECUTIVE}
    values.update(urls)
    with session_scope(get_engine(url)) as session:
        supplier = Supplier(code=code, name=f"{code} Castings", created_at=T0, **values)
        session.add(supplier)
        session.flush()
        assert supplier.id is not None
        return supplier.id


def add_case(url: str, *, supplier_id: int | None = None, owner: str | None = "lena") -> int:
    with session_scope(get_engine(url)) as session:
        case = Case(lifecycle="8d", state="containment", title="Cracked housing",
                    supplier_id=supplier_id, owner=owner, opened_at=T0, updated_at=T0)
        session.add(case)
        session.flush()
        assert case.id is not None
        return case.id


_counter = iter(range(1, 1_000_000))


def queue(
    url: str,
    *,
    case_id: int | None,
    audience: list[str],
    subject: str | None = None,
    due: datetime = T0,
    level: int = 0,
    extra: dict[str, Any] | None = None,
) -> int:
    """One pending notice, due at `due`, as the sweep or the engine would have queued it."""
    n = next(_counter)
    with session_scope(get_engine(url)) as session:
        notice = Notification(
            dedupe_key=f"test:{n}", case_id=case_id, kind="reminder", escalation_level=level,
            audience=audience, subject=subject or f"notice {n}", body=f"body of notice {n}",
            created_at=T0, next_attempt_at=due, extra=extra or {},
        )
        session.add(notice)
        session.flush()
        assert notice.id is not None
        return notice.id


def load(url: str, notice_id: int) -> Notification:
    with Session(get_engine(url)) as session:
        notice = session.get(Notification, notice_id)
        assert notice is not None
        session.expunge(notice)
        return notice


def run(
    url: str,
    notifier: Notifier,
    *,
    now: datetime = T0,
    routes: Routes = ROUTES,
    max_attempts: int = 5,
    backoff_seconds: int = 30,
    batch_size: int = 200,
    **extra: Any,
) -> DispatchReport:
    with session_scope(get_engine(url)) as session:
        return dispatch(session, now=now, notifier=notifier, routes=routes,
                        max_attempts=max_attempts, backoff_seconds=backoff_seconds,
                        batch_size=batch_size, **extra)
