"""The recurrence rule (docs/architecture.md, "Service quality control"): the same item
failing again in the same department within `[standards] recurrence_window` of an earlier
failure means the earlier fix did not hold, and opens a PDCA cycle for it, linked to the new
finding — one cycle: while it is open, further failures of the item join it instead.

As the service desk's repeat-complaint cycle does, the cycle goes through the engine
(`casework.engine.open_case`), owned by the desk's feedback owner, and management is told.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import text, update
from sqlmodel import Session, col, select

from capaflow.calendars import readable
from capaflow.casework.engine import open_case, record_fact
from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Case, InspectionFinding, Notification
from capaflow.models.db import build

RECURRENCE = "recurrence"  # the fact on an open cycle: one more failure of its item
PDCA_OPEN = ("plan", "do", "check", "act")


def _item_lock(session: Session, key: str) -> None:
    """Serialise the recurrence check of one item and department on PostgreSQL, so two rounds
    recorded at once do not both open a cycle. SQLite needs none: the round has written its
    finding before it checks, so it holds the database's one write lock until it commits."""
    if session.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def _link(session: Session, finding: InspectionFinding, cycle_id: int) -> None:
    finding.pdca_case_id = cycle_id
    session.execute(update(InspectionFinding)
                    .where(col(InspectionFinding.case_id) == finding.case_id)
                    .values(pdca_case_id=cycle_id))


def act_on_recurrence(
    session: Session, *, policies: Policies, policy: DeadlinePolicy,
    finding: InspectionFinding, actor: str, now: datetime,
) -> int | None:
    """The PDCA cycle this finding opened or joined, or None when it is no recurrence."""
    _item_lock(session, f"standards:recurrence:{finding.department}:{finding.item_code}")
    earlier = session.exec(
        select(InspectionFinding)
        .where(InspectionFinding.department == finding.department,
               InspectionFinding.item_code == finding.item_code,
               InspectionFinding.case_id != finding.case_id,
               col(InspectionFinding.found_at) <= finding.found_at)
        .order_by(col(InspectionFinding.found_at).desc()).limit(1)
    ).first()
    window = policies.standards.recurrence_window
    if earlier is None or policy.calendar.add(earlier.found_at, window) < finding.found_at:
        return None
    open_cycle = session.exec(
        select(Case.id).join(InspectionFinding,
                             col(InspectionFinding.pdca_case_id) == col(Case.id))
        .where(InspectionFinding.department == finding.department,
               InspectionFinding.item_code == finding.item_code,
               col(Case.state).in_(PDCA_OPEN)).limit(1)
    ).first()
    if open_cycle is not None:
        record_fact(session, case_id=open_cycle, action=RECURRENCE,
                    fields={"finding": finding.case_id, "item": finding.item_code},
                    note=f"{finding.item_code} failed again in {finding.department} "
                         f"(finding #{finding.case_id}).",
                    actor=actor, now=now, policy=policy)
        _link(session, finding, open_cycle)
        return open_cycle
    owner = policies.service.feedback.owner
    problem = (f"Item {finding.item_code} ({finding.factor}) failed again in "
               f"{finding.department}: finding #{finding.case_id} on {readable(now)}, "
               f"after finding #{earlier.case_id} on {readable(earlier.found_at)} (within "
               f"{window}). The earlier fix did not hold: analyse the cause, not only the "
               f"symptom.")
    opened = open_case(
        session, lifecycle="pdca",
        title=f"Recurring failure of {finding.item_code} in {finding.department}"[:300],
        supplier_code=None, part=None, defect_code=finding.item_code,
        severity="critical" if finding.critical else "major", complex_cause=False,
        owner=owner, team=None, problem=problem, actor=actor, now=now, policy=policy,
        linked_case_id=finding.case_id,
    )
    cycle_id = opened.case.id
    assert cycle_id is not None
    _link(session, finding, cycle_id)
    session.add(build(
        Notification, dedupe_key=f"standards:recurrence:{cycle_id}", case_id=cycle_id,
        kind="recurrence", audience=["service_manager", "management"],
        subject=f"[capaflow] Recurring failure of {finding.item_code} in "
                f"{finding.department}: PDCA #{cycle_id}"[:300],
        body=f"{problem}\nPDCA cycle #{cycle_id} opened, owned by {owner}.",
        created_at=now, next_attempt_at=now))
    session.flush()
    return cycle_id
