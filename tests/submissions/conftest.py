"""Two suppliers (ACME and BETA), each with an open 8D case owned by lena, and the people who
act on them: each supplier's contact, a quality lead and a viewer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.casework.engine import open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Case, Supplier
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

T = TypeVar("T")

LEAD = Principal(name="lead", role="quality_lead", user_id=1)
VIEWER = Principal(name="viewer", role="viewer", user_id=2)


@dataclass
class Desk:
    url: str
    policy: DeadlinePolicy
    cases: dict[str, int]
    suppliers: dict[str, Principal]

    def run(self, work: Callable[[Session], T]) -> T:
        """One transaction, as one request or command: committed, or rolled back on a raise."""
        with session_scope(get_engine(self.url)) as session:
            return work(session)

    def case(self, code: str) -> Case:
        with session_scope(get_engine(self.url)) as session:
            case = session.get(Case, self.cases[code])
            assert case is not None
            session.expunge(case)
            return case


def open_8d(session: Session, code: str, policy: DeadlinePolicy, **extra: Any) -> int:
    values: dict[str, Any] = dict(
        lifecycle="8d", title=f"Cracked housing from {code}", supplier_code=code,
        part=f"{code}-P1", defect_code="CRACK", severity="major", complex_cause=False,
        owner="lena", team=None, problem=f"secret problem of {code}", actor="lead", now=T0,
        policy=policy,
    )
    values.update(extra)
    result = open_case(session, **values)
    assert result.case.id is not None
    return result.case.id


@pytest.fixture
def desk(
    db_url: str, policy: DeadlinePolicy, fast_password_hashing: None
) -> Iterator[Desk]:
    people: dict[str, Principal] = {}
    with session_scope(get_engine(db_url)) as session:
        for code in ("ACME", "BETA"):
            supplier: Supplier = add_supplier(
                session, code=code, name=f"{code} Corp",
                contact=f"json://127.0.0.1:9/{code.lower()}/contact", quality_head=None,
                executive=None, now=T0,
            )
            people[code] = Principal(name=code.lower(), role="supplier",
                                     supplier_id=supplier.id, supplier_code=code)
        cases = {code: open_8d(session, code, policy) for code in ("ACME", "BETA")}
    yield Desk(url=db_url, policy=policy, cases=cases, suppliers=people)
