"""A small world of cases for the case list: two suppliers, cases of both lifecycles opened a
day apart, one closed by cancelling, one with a supplier's submission waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.casework.engine import advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Supplier
from capaflow.submissions import submit
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0


@dataclass
class World:
    cases: dict[str, int]  # by a short name the tests use


def _open(session: Session, policy: DeadlinePolicy, day: int, **values: Any) -> int:
    base: dict[str, Any] = dict(
        lifecycle="8d", supplier_code="ACME", part="P-100", defect_code="CRACK",
        severity="major", complex_cause=False, owner="lena", team=None, problem=None,
        actor="lead", now=T0 + timedelta(days=day), policy=policy,
    )
    base.update(values)
    result = open_case(session, **base)
    assert result.case.id is not None
    return result.case.id


def build_world(session: Session, policy: DeadlinePolicy) -> World:
    suppliers: dict[str, Supplier] = {}
    for code in ("ACME", "BETA"):
        suppliers[code] = add_supplier(session, code=code, name=f"{code} Corp", contact=None,
                                       quality_head=None, executive=None, now=T0)
    cases = {
        "crack": _open(session, policy, 0, title="Cracked housing",
                       problem="Hairline crack at the boss; lot L-2211"),
        "burr": _open(session, policy, 1, title="Burr on flange", part="P-200",
                      defect_code="BURR", severity="minor", owner="marco"),
        "percent": _open(session, policy, 2, title="50% off_spec washers",
                         supplier_code="BETA", severity="critical", owner="marco"),
        "pdca": _open(session, policy, 3, lifecycle="pdca", title="Cut scrap at line 2",
                      supplier_code=None, part=None, defect_code=None, owner="lena"),
        "cancelled": _open(session, policy, 4, title="Wrong label", supplier_code="BETA"),
    }
    advance(session, case_id=cases["cancelled"], trigger="cancel",
            fields={"reason": "opened twice"}, note=None, actor="lead", now=T0 + timedelta(days=4),
            policy=policy)
    # The burr case has moved on to D4, its containment met.
    advance(session, case_id=cases["burr"], trigger="contain",
            fields={"containment": "sorted"}, note=None, actor="lead",
            now=T0 + timedelta(days=1, hours=2), policy=policy)
    beta = Principal(name="beta-quality", role="supplier", supplier_id=suppliers["BETA"].id,
                     supplier_code="BETA")
    submit(session, principal=beta, case_id=cases["percent"], trigger="contain",
           fields={"containment": "100 % sorted at BETA"}, note=None,
           now=T0 + timedelta(days=2, hours=1))
    return World(cases=cases)
