"""Audit findings a supplier owes, answered from its portal: the supplier sees the open
findings of its own audits only, answers one with its action and evidence, and the quality
lead accepts (the finding closes through audits.close_finding, its deadline met) or sends it
back with a reason. The answers wait in the one review queue beside the 8D steps. Every
refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.audits import Failure, conduct_audit, load_audit_policy, plan_audit
from capaflow.config import load_policies
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import AuditFinding, Deadline, Notification
from capaflow.submissions import (
    NotASupplier,
    accept,
    answer_finding,
    owed_findings,
    pending,
    reject,
    submit,
)
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.conftest import LEAD, VIEWER, Desk

LATER = T0 + timedelta(hours=2)
ACTION = "Recalibrated the 3 gauges; calibration plan now in the ERP with reminders."
EVIDENCE = "Calibration certificates 4711-4713, ERP screenshot of the plan."


def _audit_with_findings(desk: Desk, code: str) -> list[int]:
    """An audit of `code` conducted with two failed items; the finding ids, earliest due
    first."""
    def work(session: Session) -> list[int]:
        planned = plan_audit(session, supplier_code=code, title=None, owner="lena",
                             scope=None, actor="lead", now=T0, policy=desk.policy)
        assert planned.case.id is not None
        result = conduct_audit(
            session, case_id=planned.case.id, auditors="lena", owner=f"{code} quality",
            failures=[
                Failure("measurement.gauges", "2 gauges past calibration",
                        due_at=T0 + timedelta(days=7)),
                Failure("people.training", "no training record for 2 operators"),
            ],
            site=None, actor="lead", now=T0, policy=desk.policy,
            audit_policy=load_audit_policy(load_policies()),
        )
        return [f.id or 0 for f in result.findings]
    return desk.run(work)


@pytest.fixture
def findings(desk: Desk) -> dict[str, list[int]]:
    return {code: _audit_with_findings(desk, code) for code in ("ACME", "BETA")}


def _answer(desk: Desk, finding_id: int, *, principal: Principal | None = None,
            action: str | None = ACTION, evidence: str | None = EVIDENCE) -> int:
    submission = desk.run(lambda s: answer_finding(
        s, principal=principal or desk.suppliers["ACME"], finding_id=finding_id,
        action=action, evidence=evidence, now=T0))
    assert submission.id is not None
    return submission.id


def test_the_portal_lists_every_open_finding_of_the_suppliers_own_audits_only(
    desk: Desk, findings: dict[str, list[int]],
) -> None:
    acme = desk.suppliers["ACME"].supplier_id or 0
    owed = desk.run(lambda s: owed_findings(s, supplier_id=acme,
                                            now=T0 + timedelta(days=8)))
    assert [o.finding.id for o in owed] == findings["ACME"]
    # Due in 7 days and it is the 8th: late; the other is due by the checklist's 14 days.
    assert [o.overdue for o in owed] == [True, False]
    assert all(o.audit.supplier_id == acme for o in owed)


def test_an_accepted_answer_closes_the_finding_and_meets_its_deadline(
    desk: Desk, findings: dict[str, list[int]],
) -> None:
    finding_id = findings["ACME"][0]
    submission_id = _answer(desk, finding_id)
    # One review queue: the lead's list holds the finding answer.
    assert [s.id for s in desk.run(lambda s: pending(s))] == [submission_id]
    review = desk.run(lambda s: list(s.exec(select(Notification)
                                            .where(Notification.kind == "submission"))))
    assert len(review) == 1 and "audit finding answer" in review[0].subject

    accepted = desk.run(lambda s: accept(s, submission_id=submission_id, principal=LEAD,
                                         now=LATER, policy=desk.policy))
    assert accepted.submission.status == "accepted"
    assert accepted.step.event.action == "close_finding"

    def state(session: Session) -> tuple[AuditFinding | None, list[Deadline]]:
        finding = session.get(AuditFinding, finding_id)
        deadlines = list(session.exec(select(Deadline).where(
            Deadline.key == f"finding:{finding_id}")))
        return finding, deadlines
    finding, deadlines = desk.run(state)
    assert finding is not None and finding.status == "closed"
    assert finding.closed_by == "lead"
    assert ACTION in (finding.resolution or "") and EVIDENCE in (finding.resolution or "")
    assert [d.status for d in deadlines] == ["met"]
    acme = desk.suppliers["ACME"].supplier_id or 0
    assert [o.finding.id for o in desk.run(
        lambda s: owed_findings(s, supplier_id=acme, now=LATER))] == findings["ACME"][1:]


def test_a_sent_back_answer_leaves_the_finding_open_and_the_reason_goes_to_the_supplier(
    desk: Desk, findings: dict[str, list[int]],
) -> None:
    finding_id = findings["ACME"][0]
    submission_id = _answer(desk, finding_id)
    desk.run(lambda s: reject(s, submission_id=submission_id, principal=LEAD,
                              reason="Send the certificates, not only their numbers",
                              now=LATER))
    acme = desk.suppliers["ACME"].supplier_id or 0
    [first, _] = desk.run(lambda s: owed_findings(s, supplier_id=acme, now=LATER))
    assert first.finding.status == "open" and first.waiting is None
    assert first.sent_back is not None and first.sent_back.id == submission_id
    assert first.sent_back.reason == "Send the certificates, not only their numbers"
    sent = desk.run(lambda s: list(s.exec(select(Notification).where(
        Notification.kind == "submission_rejected"))))
    assert len(sent) == 1 and sent[0].audience == ["supplier_contact"]


def test_a_newer_answer_replaces_the_pending_one_of_that_finding_only(
    desk: Desk, findings: dict[str, list[int]],
) -> None:
    first, second = findings["ACME"]
    a = _answer(desk, first)
    b = _answer(desk, second)
    c = _answer(desk, first, action="Better action")
    assert [s.id for s in desk.run(lambda s: pending(s))] == [b, c]
    assert a not in [s.id for s in desk.run(lambda s: pending(s))]


@pytest.mark.parametrize(("who", "finding", "action", "error"), [
    ("BETA", "ACME", ACTION, NotFound),  # supplier B never reaches A's finding
    ("ACME", "none", ACTION, NotFound),
    ("ACME", "ACME", "   ", BadInput),
    ("ACME", "ACME", "x" * 9_001, BadInput),
    ("ACME", "ACME", "with \x00 a NUL", BadInput),
    ("LEAD", "ACME", ACTION, NotASupplier),  # the quality team closes it on the audit page
])
def test_refused_answers_name_the_field_and_write_nothing(
    desk: Desk, findings: dict[str, list[int]], who: str, finding: str, action: str,
    error: type[Exception],
) -> None:
    principal = LEAD if who == "LEAD" else desk.suppliers[who]
    finding_id = 99_999 if finding == "none" else findings[finding][0]
    before = snapshot(desk.url)
    with pytest.raises(error) as raised:
        _answer(desk, finding_id, principal=principal, action=action)
    if isinstance(raised.value, BadInput):
        assert raised.value.field == "action"
    if isinstance(raised.value, NotFound):
        # Worded as for a finding that does not exist: B cannot tell A's exists.
        assert str(finding_id) in str(raised.value) and "does not exist" in str(raised.value)
    assert snapshot(desk.url) == before


def test_a_closed_finding_refuses_an_answer_and_its_pending_answer_cannot_be_accepted(
    desk: Desk, findings: dict[str, list[int]],
) -> None:
    finding_id = findings["ACME"][0]
    first = _answer(desk, finding_id)
    second_finding = findings["ACME"][1]
    other = _answer(desk, second_finding)
    desk.run(lambda s: accept(s, submission_id=first, principal=LEAD, now=LATER,
                              policy=desk.policy))
    before = snapshot(desk.url)
    with pytest.raises(Conflict) as raised:
        _answer(desk, finding_id)
    assert raised.value.field == "finding"
    assert snapshot(desk.url) == before
    # The other finding's answer is still accepted though the audit case moved on meanwhile.
    desk.run(lambda s: accept(s, submission_id=other, principal=LEAD, now=LATER,
                              policy=desk.policy))


def test_a_viewer_may_not_accept_and_a_finding_answer_is_not_an_8d_step(
    desk: Desk, findings: dict[str, list[int]],
) -> None:
    submission_id = _answer(desk, findings["ACME"][0])
    before = snapshot(desk.url)
    with pytest.raises(Exception, match="may not accept"):
        desk.run(lambda s: accept(s, submission_id=submission_id, principal=VIEWER, now=LATER,
                                  policy=desk.policy))
    with pytest.raises(BadInput) as raised:
        desk.run(lambda s: submit(s, principal=desk.suppliers["ACME"],
                                  case_id=desk.cases["ACME"], trigger="answer_finding",
                                  fields={}, note=None, now=T0))
    assert raised.value.field == "trigger"
    assert snapshot(desk.url) == before
    assert desk.run(lambda s: len(list(s.exec(select(AuditFinding).where(
        col(AuditFinding.status) == "open"))))) == 4
