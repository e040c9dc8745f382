"""What the inspection tests share: ACME with a contact, lots recorded at fixed times from T0."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.inspection import InspectionPolicy, LotResult, plan_for, record_lot
from capaflow.intake import IntakePolicy
from capaflow.models import Supplier, SupplierRating
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

H = timedelta(hours=1)
PART = "HSG-100"
# Lot of 500 at AQL 1.0, level II: code letter H, normal n = 50, Ac 1, Re 2 (Tables 1, 2-A).
LOT_SIZE = 500


def add_acme(session: Session) -> None:
    add_supplier(
        session, code="ACME", name="Acme Castings", contact="json://127.0.0.1:9/acme",
        quality_head=None, executive=None, now=T0 - 30 * 24 * H,
    )
    session.commit()


def rate_not_cooperative(session: Session, month: str = "2026-03") -> None:
    supplier = session.exec(select_acme()).one()
    assert supplier.id is not None
    session.add(SupplierRating(supplier_id=supplier.id, month=month, attitude="not_cooperative",
                               rated_by="lena", rated_at=T0 - H))
    session.commit()


def select_acme() -> Any:
    return select(Supplier).where(Supplier.code == "ACME")


class Lots:
    """Records ACME HSG-100 lots one hour apart from T0, committing each like a command."""

    def __init__(
        self, session: Session, policy: DeadlinePolicy,
        inspection: InspectionPolicy | None = None,
    ) -> None:
        self.session = session
        self.policy = policy
        self.inspection = inspection or InspectionPolicy()
        self.count = 0

    @property
    def at(self) -> datetime:
        return T0 + self.count * H

    def record(
        self, *, defects: int = 0, sampled: int | None = None, lot_size: int = LOT_SIZE,
        code: str | None = "CRACK", **overrides: Any,
    ) -> LotResult:
        """A lot with `defects` found; `sampled` defaults to the plan's sample size."""
        self.count += 1
        values: dict[str, Any] = {
            "supplier_code": "ACME", "part": PART, "lot": f"L{self.count:03d}",
            "lot_size": lot_size, "aql": None, "level": None,
        }
        values.update(overrides)
        if sampled is None:
            sampled = plan_for(
                self.session, supplier_code=values["supplier_code"], part=values["part"],
                lot_size=lot_size, aql=values["aql"], level=values["level"], now=self.at,
                policy=self.inspection,
            ).sample_size
            self.session.rollback()
        result = record_lot(
            self.session, sampled=sampled, defects=defects, defect_code=code,
            inspected_at=self.at, now=self.at, policy=self.inspection,
            intake_policy=IntakePolicy(), actor="lena", deadline_policy=self.policy, **values,
        )
        self.session.commit()
        return result

    def accept(self, n: int = 1, **kw: Any) -> LotResult:
        result = None
        for _ in range(n):
            result = self.record(defects=0, **kw)
        assert result is not None
        return result

    def reject(self, **kw: Any) -> LotResult:
        """A lot with one more nonconforming item than its plan accepts."""
        plan = plan_for(
            self.session, supplier_code="ACME", part=PART, lot_size=kw.get("lot_size", LOT_SIZE),
            aql=kw.get("aql"), level=None, now=self.at + H, policy=self.inspection,
        )
        self.session.rollback()
        return self.record(defects=plan.rejection_number, **kw)

    def clear_hold(self) -> None:
        """Inspect the held lots 100 % and accept them, until the part is back on sampling."""
        for _ in range(10):
            plan = plan_for(
                self.session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                level=None, now=self.at + H, policy=self.inspection,
            )
            self.session.rollback()
            if plan.hold is None:
                return
            self.record(defects=0, sampled=LOT_SIZE)
        raise AssertionError("the hold never ended")
