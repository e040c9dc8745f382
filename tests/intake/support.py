"""What the intake tests share: ACME with a contact, defects recorded at fixed times from T0,
and an 8D case taken through its steps to effectiveness tracking (and to closure)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from capaflow.casework.engine import advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.intake import IntakePolicy, IntakeResult, record_defect
from capaflow.models import Deadline
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

H = timedelta(hours=1)
D = timedelta(days=1)

PART, DEFECT = "HSG-100", "CRACK"
ROOT_CAUSE = {"root_cause": "worn die", "escape_point": "no crack check", "category": "machine"}


def add_acme(session: Session) -> None:
    add_supplier(
        session, code="ACME", name="Acme Castings", contact="json://127.0.0.1:9/acme",
        quality_head=None, executive=None, now=T0 - 30 * D,
    )
    session.commit()


def record(
    session: Session,
    policy: DeadlinePolicy,
    *,
    at: datetime,
    occurred_at: datetime | None = None,
    intake: IntakePolicy | None = None,
    **overrides: Any,
) -> IntakeResult:
    """Record a defect of ACME's HSG-100 CRACK at `at` (occurred then, unless told) and commit."""
    values: dict[str, Any] = {
        "supplier_code": "ACME", "part": PART, "defect_code": DEFECT, "quantity": 1,
        "source": "line", "note": None,
    }
    values.update(overrides)
    result = record_defect(
        session, occurred_at=occurred_at or at, actor="lena", now=at, policy=policy,
        intake_policy=intake or IntakePolicy(), **values,
    )
    session.commit()
    return result


def open_by_hand(
    session: Session, policy: DeadlinePolicy, *, at: datetime = T0, owner: str = "lena"
) -> int:
    """An 8D case of ACME HSG-100 CRACK opened by the quality lead, with an owner."""
    result = open_case(
        session, lifecycle="8d", title="Cracked housing", supplier_code="ACME", part=PART,
        defect_code=DEFECT, severity="major", complex_cause=False, owner=owner, team=None,
        problem=None, actor="lena", now=at, policy=policy,
    )
    session.commit()
    assert result.case.id is not None
    return result.case.id


def step(
    session: Session, policy: DeadlinePolicy, case_id: int, trigger: str, at: datetime,
    **fields: str,
) -> None:
    advance(
        session, case_id=case_id, trigger=trigger, fields=fields, note=None, actor="lena",
        now=at, policy=policy,
    )
    session.commit()


# The steps from containment to effectiveness tracking, and how long after opening each is
# taken: the countermeasure is in place five days after opening.
WORK = (
    ("contain", 20 * H, {"containment": "sorted stock"}),
    ("find_root_cause", 3 * D, ROOT_CAUSE),
    ("apply_short_term_fix", 4 * D, {"short_term_fix": "100 % crack test"}),
    ("implement_countermeasure", 5 * D, {"countermeasure": "new die, crack test in the cell"}),
)


def work_case(
    session: Session, policy: DeadlinePolicy, case_id: int, *, opened: datetime = T0,
    steps: int = len(WORK),
) -> datetime:
    """Take the first `steps` steps (all: to effectiveness tracking); when the last was taken."""
    when = opened
    for trigger, after, fields in WORK[:steps]:
        when = opened + after
        step(session, policy, case_id, trigger, when, **fields)
    return when


def window(session: Session, case_id: int) -> Deadline:
    found = session.exec(
        select(Deadline).where(Deadline.case_id == case_id)
        .where(Deadline.key == "effectiveness_window").order_by(col(Deadline.id).desc())
    ).first()
    assert found is not None, "no effectiveness window"
    return found


def close_as_effective(session: Session, policy: DeadlinePolicy, case_id: int) -> datetime:
    """Take the case to effectiveness tracking and close it once the six months are over."""
    work_case(session, policy, case_id)
    closed = window(session, case_id).due_at + H
    step(session, policy, case_id, "close", closed)
    return closed
