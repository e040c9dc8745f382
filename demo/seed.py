"""Seeds a few suppliers and cases whose history is simulated backwards from `now`.

Every step is taken through the engine with its own simulated time, exactly as the CLI would
take it (time is an argument), so the demo shows real deadlines met on time, late and overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from capaflow.casework.engine import advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Case, Supplier
from capaflow.suppliers.registry import add_supplier

DEMO_ACTOR = "demo"


@dataclass
class Seeded:
    suppliers: int
    cases: int


def _step(
    session: Session, policy: DeadlinePolicy, case_id: int, trigger: str, at: datetime,
    **fields: str,
) -> None:
    advance(
        session, case_id=case_id, trigger=trigger, fields=fields, note=None,
        actor=DEMO_ACTOR, now=at, policy=policy,
    )


def is_empty(session: Session) -> bool:
    cases = session.exec(select(func.count()).select_from(Case)).one()
    suppliers = session.exec(select(func.count()).select_from(Supplier)).one()
    return cases == 0 and suppliers == 0


def seed(session: Session, *, now: datetime, policy: DeadlinePolicy) -> Seeded:
    """Add the demo data (the caller checks `is_empty` first)."""
    now = now.replace(second=0, microsecond=0)  # whole minutes read better in the tour
    start = now - timedelta(days=12)
    h = timedelta(hours=1)
    d = timedelta(days=1)
    add_supplier(
        session, code="ACME", name="Acme Stamping Ltd.",
        contact="json://127.0.0.1:8765/acme/contact",
        quality_head="json://127.0.0.1:8765/acme/quality-head",
        executive="json://127.0.0.1:8765/acme/executive", now=start,
    )
    add_supplier(
        session, code="BOLTCO", name="Bolt & Co. Fasteners",
        contact="json://127.0.0.1:8765/boltco/contact", quality_head=None, executive=None,
        now=start,
    )

    def opened(
        at: datetime,
        title: str,
        *,
        lifecycle: str = "8d",
        supplier: str | None = None,
        part: str | None = None,
        defect_code: str | None = None,
        severity: str = "major",
        complex_cause: bool = False,
        problem: str | None = None,
    ) -> int:
        result = open_case(
            session, lifecycle=lifecycle, title=title, supplier_code=supplier, part=part,
            defect_code=defect_code, severity=severity, complex_cause=complex_cause,
            owner="lena", team="lena (quality lead), marco (process), supplier SQE",
            problem=problem, actor=DEMO_ACTOR, now=at, policy=policy,
        )
        assert result.case.id is not None
        return result.case.id

    # 1: a textbook case, every step on time, now watched for six months.
    burr = opened(
        start, "Burr on bracket edge cuts harness", supplier="ACME", part="BRK-220",
        defect_code="BURR", problem="Sharp burr on bracket edge; 14 harnesses cut at station 3.",
    )
    _step(session, policy, burr, "contain", start + 20 * h,
          containment="Sorted 2,400 brackets at line and in stock; 37 rejected.")
    _step(session, policy, burr, "find_root_cause", start + 3 * d,
          root_cause="Worn trim die edge (1.2 mm radius vs 0.3 mm spec).",
          escape_point="Burr height not in the outgoing check plan.", category="machine")
    _step(session, policy, burr, "apply_short_term_fix", start + 4 * d,
          short_term_fix="Manual deburr of every bracket before packing.")
    _step(session, policy, burr, "implement_countermeasure", start + 9 * d,
          countermeasure="Die reground; die life limit set to 80k hits in the PM system.",
          verification="3 lots checked, burr below 0.05 mm.")

    # 2: a complex cause, containment late, the countermeasure still owed.
    torque = opened(
        start + 5 * d, "Bolt torque below spec", supplier="BOLTCO", part="M8-45",
        defect_code="TORQUE-LOW", severity="critical", complex_cause=True,
        problem="Clamp load 18 % low on 3 of 50 bolts; thread coating suspected.",
    )
    _step(session, policy, torque, "contain", start + 5 * d + 30 * h,
          containment="Quarantined lots 4411-4415; 100 % torque audit at assembly.")
    _step(session, policy, torque, "find_root_cause", start + 8 * d,
          root_cause="Coating thickness drifts with bath temperature.",
          escape_point="Coating checked once per shift, drift is faster.",
          category="method", complexity="complex")
    _step(session, policy, torque, "apply_short_term_fix", start + 9 * d,
          short_term_fix="Bath temperature logged hourly; lots held until checked.")

    # 3: just opened and the 24 h containment already overdue.
    opened(
        now - 30 * h, "Scratches on housing cover", supplier="ACME", part="HSG-10",
        defect_code="SCRATCH", severity="minor",
        problem="Visible scratches on 5 % of covers in the last delivery.",
    )

    # 4: a supplier's containment sent back by the quality lead.
    label = opened(
        start + 8 * d, "Wrong label on carton", supplier="BOLTCO", part="M6-20",
        defect_code="LABEL", problem="Carton labelled M6-25; mixed parts at the line.",
    )
    _step(session, policy, label, "contain", start + 8 * d + 6 * h,
          containment="Supplier says: relabelled.")
    _step(session, policy, label, "reject", start + 8 * d + 9 * h,
          reason="No check of stock at our site; sort our stock and the in-transit lots too.")

    # 5: an improvement cycle whose first target was missed.
    scrap = opened(
        start, "Cut scrap at press line 2 below 1.5 %", lifecycle="pdca",
        problem="Scrap at 3.1 % for three months.",
    )
    _step(session, policy, scrap, "execute", start + 1 * d,
          target="Scrap below 1.5 % over two weeks", plan="New die lubrication schedule.")
    _step(session, policy, scrap, "measure", start + 8 * d, result="Scrap 2.2 % over two weeks")
    _step(session, policy, scrap, "evaluate", start + 9 * d, met="false",
          analysis="Lubrication helped; coil flatness is the larger cause.")
    _step(session, policy, scrap, "next_cycle", start + 10 * d,
          reason="Target missed: attack coil flatness next.")
    return Seeded(suppliers=2, cases=5)
