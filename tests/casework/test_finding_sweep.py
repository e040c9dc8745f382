"""Audit findings through the one sweep: each failed checklist item is reminded before its due
date and escalated once overdue, each notice once, and closing the finding ends them.

The default policy: a finding is due 14 days after the audit ([audit] finding_due), reminded
1 day before (a span of 3 days or more), escalated at the due time (level 1), 2 days after
(level 2) and 5 days after (level 3).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.audits import (
    Failure,
    cancel_audit,
    close_finding,
    conduct_audit,
    load_audit_policy,
    plan_audit,
)
from capaflow.casework.sweep import SweepReport, sweep
from capaflow.config import load_policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import finding_key
from capaflow.models import AuditFinding, Deadline, Notification
from capaflow.models.db import session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

H = timedelta(hours=1)
D = timedelta(days=1)
DUE = T0 + 14 * D  # the audit is conducted at T0
REMIND = DUE - D


def _audit_with_findings(engine: Engine, policy: DeadlinePolicy, *items: str) -> list[int]:
    """An audit of ACME conducted at T0 whose `items` failed; the findings' ids."""
    with session_scope(engine) as session:
        add_supplier(session, code="ACME", name="Acme", contact="json://127.0.0.1:9/acme",
                     quality_head="json://127.0.0.1:9/acme-qh",
                     executive="json://127.0.0.1:9/acme-ceo", now=T0 - D)
        planned = plan_audit(session, supplier_code="ACME", title=None, owner="lena",
                             scope=None, actor="lena", now=T0 - D, policy=policy)
        assert planned.case.id is not None
        result = conduct_audit(
            session, case_id=planned.case.id, auditors="lena, tom",
            failures=[Failure(item=item, description=f"{item} not in order") for item in items],
            owner="acme-quality", site=None, actor="lena", now=T0, policy=policy,
            audit_policy=load_audit_policy(load_policies()),
        )
        return [f.id for f in result.findings if f.id is not None]


@pytest.fixture
def finding(engine: Engine, policy: DeadlinePolicy) -> int:
    [finding_id] = _audit_with_findings(engine, policy, "measurement.calibration")
    return finding_id


def _sweep(engine: Engine, policy: DeadlinePolicy, at: datetime) -> SweepReport:
    return sweep(engine, now=at, policy=policy, batch_size=50)


def _finding_notices(engine: Engine, finding_id: int) -> list[Notification]:
    with Session(engine) as session:
        notices = session.exec(select(Notification).order_by(col(Notification.id))).all()
        return [n for n in notices if n.extra.get("finding_id") == finding_id]


def _deadline(engine: Engine, finding_id: int) -> Deadline:
    with Session(engine) as session:
        return session.exec(
            select(Deadline).where(Deadline.key == finding_key(finding_id))
        ).one()


def _close(engine: Engine, policy: DeadlinePolicy, finding_id: int, at: datetime) -> None:
    with session_scope(engine) as session:
        close_finding(session, finding_id=finding_id, resolution="gauges calibrated",
                      actor="acme-quality", now=at, policy=policy)


def test_each_finding_is_owed_by_a_deadline_at_its_own_due_date(
    engine: Engine, policy: DeadlinePolicy, finding: int
) -> None:
    deadline = _deadline(engine, finding)
    assert (deadline.kind, deadline.status, deadline.due_at) == ("obligation", "pending", DUE)
    assert deadline.next_action_at == REMIND
    assert "#" + str(finding) in deadline.title and "acme-quality" in deadline.title
    with Session(engine) as session:
        row = session.get(AuditFinding, finding)
        assert row is not None and row.due_at == deadline.due_at


def test_a_finding_is_reminded_one_day_before_it_is_due_and_only_once(
    engine: Engine, policy: DeadlinePolicy, finding: int
) -> None:
    assert _sweep(engine, policy, REMIND - timedelta(minutes=1)).reminders == 0
    report = _sweep(engine, policy, REMIND)
    assert report.reminders == 1
    assert [a for a in report.actions if a.get("finding") == finding] == [
        {"case": 1, "deadline": _deadline(engine, finding).id, "key": finding_key(finding),
         "finding": finding, "action": "reminder"}
    ]
    assert _sweep(engine, policy, REMIND).reminders == 0  # the same moment again
    assert _sweep(engine, policy, DUE - H).reminders == 0  # later, still before due
    [reminder] = _finding_notices(engine, finding)
    assert reminder.kind == "reminder"
    assert reminder.dedupe_key == f"deadline:{_deadline(engine, finding).id}:reminder"
    assert reminder.audience == ["owner", "supplier_contact"]
    assert reminder.extra == {"finding_id": finding, "owner": "acme-quality"}
    assert f"audit finding #{finding} (measurement.calibration) due in 24 h" in reminder.subject
    assert "Owed by: acme-quality" in reminder.body
    assert "measurement.calibration not in order" in reminder.body


def test_an_overdue_finding_escalates_level_by_level_each_level_once(
    engine: Engine, policy: DeadlinePolicy, finding: int
) -> None:
    def levels(at: datetime) -> list[int]:
        return [a["level"] for a in _sweep(engine, policy, at).actions
                if a.get("finding") == finding and a["action"] == "escalation"]

    assert levels(DUE - timedelta(minutes=1)) == []
    assert levels(DUE) == [1]  # at the due time
    assert levels(DUE) == []
    assert levels(DUE + 2 * D - H) == []
    assert levels(DUE + 2 * D) == [2]
    assert levels(DUE + 5 * D) == [3]
    assert levels(DUE + 30 * D) == []  # the ladder is done
    notices = _finding_notices(engine, finding)
    # The first sweep, a minute before the due time, still reminded (late, but before due).
    assert [(n.kind, n.escalation_level) for n in notices] == [
        ("reminder", 0), ("escalation", 1), ("escalation", 2), ("escalation", 3),
    ]
    assert notices[1].audience == ["owner", "supplier_contact"]
    assert notices[2].audience == ["supplier_quality_head", "quality_lead"]
    assert notices[3].audience == ["supplier_executive", "quality_manager"]
    assert f"OVERDUE level 3: audit finding #{finding}" in notices[3].subject
    assert "Overdue by 5 days" in notices[3].body and "Owed by: acme-quality" in notices[3].body
    assert len({n.dedupe_key for n in notices}) == 4
    assert _deadline(engine, finding).escalation_level == 3


def test_closing_a_finding_after_its_reminder_stops_its_escalations(
    engine: Engine, policy: DeadlinePolicy, finding: int
) -> None:
    assert _sweep(engine, policy, REMIND).reminders == 1
    _close(engine, policy, finding, REMIND + H)
    for at in (DUE, DUE + 2 * D, DUE + 5 * D):
        assert [a for a in _sweep(engine, policy, at).actions if a.get("finding")] == []
    assert [n.kind for n in _finding_notices(engine, finding)] == ["reminder"]
    deadline = _deadline(engine, finding)
    assert (deadline.status, deadline.met_on_time, deadline.next_action_at) == ("met", True, None)


def test_closing_a_finding_before_its_reminder_means_no_notice_at_all(
    engine: Engine, policy: DeadlinePolicy, finding: int
) -> None:
    _close(engine, policy, finding, T0 + D)
    for at in (REMIND, DUE, DUE + 2 * D, DUE + 5 * D):
        _sweep(engine, policy, at)
    assert _finding_notices(engine, finding) == []


def test_a_finding_closed_late_is_met_late_and_not_escalated_further(
    engine: Engine, policy: DeadlinePolicy, finding: int
) -> None:
    assert _sweep(engine, policy, DUE).escalations == 1
    _close(engine, policy, finding, DUE + D)
    assert _sweep(engine, policy, DUE + 5 * D).escalations == 0
    deadline = _deadline(engine, finding)
    assert (deadline.status, deadline.met_on_time) == ("met", False)


def test_closing_one_finding_leaves_the_others_chased(
    engine: Engine, policy: DeadlinePolicy
) -> None:
    first, second = _audit_with_findings(engine, policy, "people.training",
                                         "machines.maintenance_records")
    _close(engine, policy, first, T0 + D)
    report = _sweep(engine, policy, DUE)
    assert [a["finding"] for a in report.actions if a.get("finding")] == [second]
    assert _finding_notices(engine, first) == []
    assert [n.escalation_level for n in _finding_notices(engine, second)] == [1]


def test_a_cancelled_audit_chases_none_of_its_findings(
    engine: Engine, policy: DeadlinePolicy, finding: int
) -> None:
    with session_scope(engine) as session:
        cancel_audit(session, case_id=1, reason="supplier delisted", actor="lena",
                     now=T0 + D, policy=policy)
    for at in (REMIND, DUE, DUE + 5 * D):
        _sweep(engine, policy, at)
    assert _finding_notices(engine, finding) == []
    assert _deadline(engine, finding).status == "cancelled"
