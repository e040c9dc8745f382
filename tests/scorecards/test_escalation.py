"""The escalation rules (docs/architecture.md, "Quality rules"): each fires once, in the month that
triggers it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from capaflow.audittrail.chain import verify
from capaflow.models import (
    Case,
    Deadline,
    Notification,
    Supplier,
    SupplierDecision,
    SupplierEscalation,
)
from capaflow.scorecards import months
from capaflow.scorecards.escalation import NOT_GRADED, triggered
from capaflow.scorecards.grading import SupplierResult, run_month
from capaflow.scorecards.policy import ScorecardPolicy
from tests.scorecards.support import (
    LINE_ONLY,
    grade_with_line_defects,
    lot,
    mid,
    policy,
    run_time,
    supplier,
)

FIRST = "2025-01"


@pytest.fixture
def line_only() -> ScorecardPolicy:
    return policy(LINE_ONLY)


def run_grades(
    session: Session, supplier_id: int, grades: str, policy: ScorecardPolicy,
    first: str = FIRST,
) -> list[SupplierResult]:
    """Record line defects for one grade a month from `first`, run each month on the 1st of
    the next as the flow would; each month's result."""
    results = []
    for n, grade in enumerate(grades):
        month = months.shift(first, n)
        grade_with_line_defects(session, supplier_id, month, grade)
        [result] = run_month(session, month=month, now=run_time(month), policy=policy,
                             actor="capaflow")
        session.commit()
        assert result.grade == grade, (month, result.score)
        results.append(result)
    return results


def fired(results: Sequence[SupplierResult]) -> list[tuple[str, str]]:
    return [(r.month, f.rule) for r in results for f in r.escalations]


def escalations(session: Session) -> list[tuple[str, str, list[str]]]:
    rows = session.exec(select(SupplierEscalation).order_by(col(SupplierEscalation.id))).all()
    return [(e.month, e.rule, list(e.actions)) for e in rows]


def test_three_months_in_a_row_at_c_fire_an_audit_and_a_quality_head_meeting_once(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    results = run_grades(session, acme, "CCCC", line_only)
    assert fired(results) == [("2025-03", "three_c")]
    assert escalations(session) == [
        ("2025-03", "three_c", ["on_site_audit", "meeting_quality_head"])
    ]
    notice = session.exec(
        select(Notification).where(Notification.kind == "supplier_escalation")
    ).one()
    assert notice.dedupe_key == f"supplier:{acme}:2025-03:three_c"
    assert notice.audience == ["supplier_quality_head", "quality_lead"]
    assert notice.kind == "supplier_escalation"
    assert notice.extra["supplier_id"] == acme
    assert "on-site audit" in notice.body


def test_a_broken_run_at_c_fires_again_after_three_new_months_at_c(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    results = run_grades(session, acme, "CCCCCBCCC", line_only)
    assert fired(results) == [("2025-03", "three_c"), ("2025-09", "three_c")]


def test_three_months_in_a_row_at_d_fire_an_executive_meeting_and_an_audit_once(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    results = run_grades(session, acme, "DDDDD", line_only)
    assert fired(results) == [("2025-03", "three_d")]
    assert escalations(session) == [
        ("2025-03", "three_d", ["meeting_executive", "on_site_audit"])
    ]
    notice = session.exec(
        select(Notification).where(Notification.kind == "supplier_escalation")
    ).one()
    assert notice.audience == ["supplier_executive", "quality_manager"]


def test_a_drop_of_two_grades_opens_a_cause_report_case_whose_deadline_the_sweep_chases(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    results = run_grades(session, acme, "ACCBD", line_only)
    # A → C is a drop of two; C → C, C → B and B → D (two down again) are judged on their own.
    assert fired(results) == [("2025-02", "drop_two"), ("2025-05", "drop_two")]
    [first] = results[1].escalations
    ran = run_time("2025-02")
    assert first.due_at is not None
    assert (first.due_at - ran).days == 10
    assert first.actions == ("meeting_quality_contact", "cause_report")
    stored = escalations(session)[0]
    assert stored[2][-1] == f"cause_report_due={first.due_at.isoformat()}"
    notice = session.exec(
        select(Notification).where(Notification.dedupe_key == first.notice_key)
    ).one()
    assert notice.audience == ["supplier_contact", "quality_lead"]
    assert notice.extra["due_at"] == first.due_at.isoformat()


def test_a_drop_of_one_grade_fires_nothing(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    assert fired(run_grades(session, acme, "ABCD", line_only)) == []


def test_grade_e_blacklists_the_supplier_with_a_recorded_decision_by_the_system(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    results = run_grades(session, acme, "DE", line_only)
    assert fired(results) == [("2025-02", "grade_e")]
    assert results[1].blacklisted
    # The month after, its lots refused, it is not graded (formerly graded E again, or A
    # with nothing recorded): nothing is fired, and it stays blacklisted.
    grade_with_line_defects(session, acme, "2025-03", "E")
    [after] = run_month(session, month="2025-03", now=run_time("2025-03"), policy=line_only,
                        actor="capaflow")
    session.commit()
    assert (after.grade, after.score, after.escalations) == (None, None, ())
    assert after.not_graded_reason == "blacklisted: no lot accepted in the month"
    assert after.blacklisted
    row = session.get(Supplier, acme)
    assert row is not None
    assert row.blacklisted_at == run_time("2025-02")
    assert row.blacklist_reason == "grade E for 2025-02 (score 50)"
    [decision] = session.exec(select(SupplierDecision)).all()
    assert (decision.decision, decision.actor) == ("blacklisted", "capaflow")
    # The blacklisting is on the supplier's decision chain, and the chain verifies.
    assert (decision.seq, row.decision_count, row.decision_head) == (1, 1, decision.hash)
    assert verify(session).ok


def test_rerunning_a_month_adds_no_escalation_notice_or_decision(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    run_grades(session, acme, "ACE", line_only)
    notices = select(Notification).where(Notification.kind == "supplier_escalation")
    counted = (len(escalations(session)), len(session.exec(notices).all()),
               len(session.exec(select(SupplierDecision)).all()))
    assert counted == (3, 3, 1)  # drop_two twice (A→C, C→E) and grade_e
    for month in ("2025-02", "2025-03"):
        [again] = run_month(session, month=month, now=run_time("2025-04"), policy=line_only,
                            actor="capaflow")
        session.commit()
        assert again.escalations == ()
    assert (len(escalations(session)), len(session.exec(notices).all()),
            len(session.exec(select(SupplierDecision)).all())) == counted


@pytest.mark.parametrize(
    ("grade", "earlier", "rules"),
    [
        ("C", ["C", "C", None], ["three_c"]),
        ("C", ["C", "C", "B"], ["three_c"]),
        ("C", ["C", "C", "C"], []),          # the 4th C of a run
        ("C", ["C", None, "C"], []),         # a month not graded breaks the run
        ("D", ["D", "D", "C"], ["three_d"]),
        ("C", ["A", None, None], ["drop_two"]),
        ("E", ["C", None, None], ["drop_two", "grade_e"]),
        # Recorded whether blacklisted already or not (nothing is sent or done then): a month
        # graded again after the blacklist was lifted must find its E on record.
        ("E", ["E", None, None], ["grade_e"]),
        ("E", [None, None, None], ["grade_e"]),
        ("B", ["A", "A", "A"], []),
    ],
)
def test_which_rules_a_grade_sets_off_given_the_months_before(
    grade: str, earlier: list[str | None], rules: list[str],
) -> None:
    assert triggered(grade, earlier) == rules


@pytest.mark.parametrize(
    ("grade", "earlier", "repeat", "rules"),
    [
        ("C", ["C", NOT_GRADED, "C", None], False, ["three_c"]),  # looked through
        ("C", [NOT_GRADED, NOT_GRADED, "A", None], False, ["drop_two"]),
        ("C", ["C", "C", "C", "C", "C", None], True, ["three_c"]),  # the 6th month
        ("C", ["C", "C", "C", "C", None], True, []),  # the 5th
        ("C", ["C", "C", "C", "C", "C", None], False, []),
        ("D", ["D", "D", NOT_GRADED, "D", "D", "D", "D", "D", "D", None], True, ["three_d"]),
    ],
)
def test_months_not_graded_are_looked_through_and_a_run_may_repeat(
    grade: str, earlier: list[str | None], repeat: bool, rules: list[str],
) -> None:
    assert triggered(grade, earlier, repeat=repeat) == rules


def test_the_cause_report_is_a_case_owed_by_the_supplier_and_met_by_its_submission(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    from capaflow.casework.engine import advance
    from capaflow.config import load_policies
    from capaflow.deadlines.policy import load_policy

    acme = supplier(session)
    results = run_grades(session, acme, "AC", line_only)
    [fired_rule] = results[1].escalations
    report = session.exec(select(Case).where(Case.lifecycle == "cause_report")).one()
    assert (report.state, report.supplier_id) == ("requested", acme)
    deadline = session.exec(select(Deadline).where(Deadline.case_id == report.id)).one()
    assert deadline.due_at == fired_rule.due_at
    assert report.id is not None
    advance(session, case_id=report.id, trigger="submit",
            fields={"report": "Die wear not tracked; PM plan attached."}, note=None,
            actor="acme-sqe", now=deadline.due_at, policy=load_policy(load_policies()))
    session.commit()
    met = session.exec(select(Deadline).where(Deadline.case_id == report.id)).one()
    assert (met.status, met.met_on_time) == ("met", True)


def test_grading_an_old_month_again_does_not_undo_a_lifted_blacklist(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    from capaflow.scorecards.decisions import lift_blacklist

    acme = supplier(session)
    run_grades(session, acme, "E", line_only)  # blacklisted on the run of the first month
    # A lot accepted on the 1st before that run: the second month is graded (E), and its E is
    # recorded while the supplier is blacklisted already.
    lot(session, acme, run_time(FIRST) - timedelta(hours=3))
    run_grades(session, acme, "E", line_only, first=months.shift(FIRST, 1))
    lift_blacklist(session, code="ACME", reason="8D closed, audit passed",
                   actor="lena", now=run_time(months.shift(FIRST, 1)) + timedelta(days=2))
    session.commit()
    [again] = run_month(session, month=months.shift(FIRST, 1),
                        now=run_time(months.shift(FIRST, 1)) + timedelta(days=3),
                        policy=line_only, actor="capaflow")
    session.commit()
    assert again.escalations == ()
    row = session.get(Supplier, acme)
    assert row is not None and row.blacklisted_at is None


def test_a_month_not_over_yet_is_graded_provisionally_and_fires_nothing(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    acme = supplier(session)
    grade_with_line_defects(session, acme, FIRST, "E")
    [result] = run_month(session, month=FIRST, now=mid(FIRST), policy=line_only,
                         actor="capaflow")
    session.commit()
    assert (result.grade, result.provisional, result.escalations) == ("E", True, ())
    assert escalations(session) == []


# A site's override file: audits to be conducted within 5 days, cause reports within 3 (the
# defaults are 30 and 10).
SITE_DEADLINES: dict[str, Any] = {
    "deadlines": {"audit": {"conduct": {"due": "5d"}}, "cause_report": {"report": {"due": "3d"}}}
}


@pytest.mark.parametrize(("grades", "rule"), [("CCC", "three_c"), ("DDD", "three_d")])
def test_the_audit_an_escalation_opens_is_due_as_the_sites_deadline_policy_says(
    session: Session, grades: str, rule: str,
) -> None:
    acme = supplier(session)
    site = policy({**LINE_ONLY, **SITE_DEADLINES})
    results = run_grades(session, acme, grades, site)
    assert fired(results) == [("2025-03", rule)]
    escalation = session.exec(select(SupplierEscalation)).one()
    audit = session.get(Case, escalation.case_id)
    assert audit is not None and (audit.lifecycle, audit.state) == ("audit", "planned")
    conduct = session.exec(
        select(Deadline).where(Deadline.case_id == audit.id, Deadline.key == "conduct")
    ).one()
    assert conduct.due_at - run_time("2025-03") == timedelta(days=5)


def test_the_cause_report_a_drop_of_two_opens_is_due_as_the_sites_deadline_policy_says(
    session: Session,
) -> None:
    acme = supplier(session)
    results = run_grades(session, acme, "AC", policy({**LINE_ONLY, **SITE_DEADLINES}))
    [drop] = results[1].escalations
    assert drop.due_at is not None and drop.due_at - run_time("2025-02") == timedelta(days=3)
    report = session.exec(select(Case).where(Case.lifecycle == "cause_report")).one()
    deadline = session.exec(select(Deadline).where(Deadline.case_id == report.id)).one()
    assert deadline.due_at == drop.due_at
