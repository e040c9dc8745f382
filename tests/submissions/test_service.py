"""Supplier submissions: a supplier answers what its own 8D case owes, checked as the engine
checks a step; the quality lead accepts (the step is taken through the engine) or rejects it
with a reason that goes to the supplier. Every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.casework.engine import advance, record_occurrence
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import CaseEvent, Notification, Submission
from capaflow.submissions import NotPermitted, accept, case_submissions, pending, reject, submit
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.conftest import LEAD, VIEWER, Desk, open_8d

LATER = T0 + timedelta(hours=2)
CONTAINMENT = "Sorted 1,200 housings at ACME and at our dock; 14 cracked ones quarantined."


def _submit(desk: Desk, code: str = "ACME", *, case: str | None = None,
            trigger: str = "contain", fields: dict[str, str] | None = None,
            note: str | None = None, principal: Principal | None = None) -> Submission:
    return desk.run(lambda s: submit(
        s, principal=principal or desk.suppliers[code], case_id=desk.cases[case or code],
        trigger=trigger, fields={"containment": CONTAINMENT} if fields is None else fields,
        note=note, now=T0,
    ))


def _notices(session: Session) -> list[Notification]:
    return list(session.exec(select(Notification).order_by(col(Notification.id))))


def test_supplier_containment_accepted_by_the_lead_moves_the_case_with_the_suppliers_text(
    desk: Desk,
) -> None:
    submission = _submit(desk, note="Cause under investigation")
    assert submission.status == "pending"
    assert desk.case("ACME").state == "containment"  # submitting does not move the case

    accepted = desk.run(lambda s: accept(s, submission_id=submission.id or 0, principal=LEAD,
                                         now=LATER, policy=desk.policy))
    assert accepted.submission.status == "accepted"
    assert accepted.submission.decided_by == "lead"
    case = desk.case("ACME")
    assert case.state == "root_cause"
    assert case.content["containment"] == CONTAINMENT

    def last_event(session: Session) -> CaseEvent:
        found = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)
                             .order_by(col(CaseEvent.seq).desc())).first()
        assert found is not None
        return found

    event = desk.run(last_event)
    assert event.action == "contain" and event.actor == "lead"
    assert event.fields == {"containment": CONTAINMENT}
    assert "submitted by supplier:ACME" in (event.note or "")
    assert f"submission #{submission.id}" in (event.note or "")
    assert "Cause under investigation" in (event.note or "")


def test_a_submission_queues_a_review_notice_for_the_case_owner(desk: Desk) -> None:
    submission = _submit(desk)
    notices = desk.run(_notices)
    review = [n for n in notices if n.kind == "submission"]
    assert len(review) == 1
    case_id = desk.cases["ACME"]
    assert review[0].audience == ["owner"]
    assert review[0].dedupe_key == f"submission:{submission.id}:submitted"
    assert f"ACME submitted containment for case {case_id} — review" in review[0].subject
    assert CONTAINMENT in review[0].body


def test_a_newer_submission_withdraws_the_pending_one(desk: Desk) -> None:
    first = _submit(desk)
    second = _submit(desk, fields={"containment": "Sorted everything twice"})
    rows = desk.run(lambda s: case_submissions(s, case_id=desk.cases["ACME"]))
    assert [(r.id, r.status) for r in rows] == [(first.id, "withdrawn"), (second.id, "pending")]
    assert rows[0].reason == f"replaced by submission #{second.id}"
    assert [p.id for p in desk.run(lambda s: pending(s))] == [second.id]
    # Two submissions, two review notices, each with its own key.
    assert len([n for n in desk.run(_notices) if n.kind == "submission"]) == 2


def test_another_suppliers_case_is_not_found_with_the_message_of_a_missing_one(
    desk: Desk,
) -> None:
    before = snapshot(desk.url)
    with pytest.raises(NotFound) as theirs:
        _submit(desk, "ACME", case="BETA")
    with pytest.raises(NotFound) as missing:
        desk.run(lambda s: submit(s, principal=desk.suppliers["ACME"], case_id=999_999,
                                  trigger="contain", fields={"containment": "x"}, note=None,
                                  now=T0))
    beta = desk.cases["BETA"]
    assert theirs.value.message == f"case {beta} does not exist"
    assert missing.value.message == "case 999999 does not exist"
    assert snapshot(desk.url) == before


def test_a_step_not_owed_now_is_a_conflict_listing_what_is(desk: Desk) -> None:
    before = snapshot(desk.url)
    with pytest.raises(Conflict) as refused:
        _submit(desk, trigger="find_root_cause",
                fields={"root_cause": "x", "escape_point": "y", "category": "method"})
    assert refused.value.allowed == ("contain",)
    assert "owed now: contain" in refused.value.message
    with pytest.raises(BadInput) as not_theirs:
        _submit(desk, trigger="close", fields={})
    assert not_theirs.value.field == "trigger"
    assert snapshot(desk.url) == before


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({}, "containment"),
        ({"containment": "   "}, "containment"),
        ({"containment": "ok", "root_cause": "not part of contain"}, "root_cause"),
        ({"containment": "x" * 20_001}, "containment"),
        ({"containment": "nul \x00 byte"}, "containment"),
    ],
)
def test_bad_fields_are_refused_naming_the_field_and_nothing_is_written(
    desk: Desk, fields: dict[str, str], named: str
) -> None:
    before = snapshot(desk.url)
    with pytest.raises(BadInput) as refused:
        _submit(desk, fields=fields)
    assert refused.value.field == named
    assert snapshot(desk.url) == before


def test_root_cause_category_must_be_one_of_the_six_5m1e_factors(desk: Desk) -> None:
    _submit(desk)
    first = desk.run(lambda s: pending(s))[0]
    desk.run(lambda s: accept(s, submission_id=first.id or 0, principal=LEAD, now=LATER,
                              policy=desk.policy))
    before = snapshot(desk.url)
    with pytest.raises(BadInput) as refused:
        _submit(desk, trigger="find_root_cause",
                fields={"root_cause": "die wear", "escape_point": "no check",
                        "category": "luck"})
    assert refused.value.field == "category"
    assert "man, machine, material, method, environment, measurement" in refused.value.message
    assert snapshot(desk.url) == before


def test_only_8d_cases_and_only_suppliers_submit(desk: Desk) -> None:
    pdca = desk.run(lambda s: open_8d(s, "ACME", desk.policy, lifecycle="pdca"))
    before = snapshot(desk.url)
    with pytest.raises(Conflict):
        desk.run(lambda s: submit(s, principal=desk.suppliers["ACME"], case_id=pdca,
                                  trigger="contain", fields={"containment": "x"}, note=None,
                                  now=T0))
    with pytest.raises(NotPermitted):
        _submit(desk, principal=LEAD)
    assert snapshot(desk.url) == before


def test_a_rejected_submission_leaves_the_case_and_tells_the_supplier_why(desk: Desk) -> None:
    submission = _submit(desk)
    case_before = desk.case("ACME")
    rejected = desk.run(lambda s: reject(
        s, submission_id=submission.id or 0, principal=LEAD,
        reason="Sorting at the dock is not enough: contain the stock in transit too.", now=LATER,
    ))
    assert rejected.status == "rejected" and rejected.decided_by == "lead"
    case = desk.case("ACME")
    assert (case.state, case.version) == (case_before.state, case_before.version)
    notices = [n for n in desk.run(_notices) if n.kind == "submission_rejected"]
    assert len(notices) == 1
    assert notices[0].audience == ["supplier_contact"]
    assert "contain the stock in transit too" in notices[0].body
    assert notices[0].dedupe_key == f"submission:{submission.id}:rejected"
    # The case still owes containment: the supplier submits again.
    assert _submit(desk).status == "pending"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_rejection_needs_a_reason(desk: Desk, reason: str | None) -> None:
    submission = _submit(desk)
    before = snapshot(desk.url)
    with pytest.raises(BadInput) as refused:
        desk.run(lambda s: reject(s, submission_id=submission.id or 0, principal=LEAD,
                                  reason=reason, now=LATER))
    assert refused.value.field == "reason"
    assert snapshot(desk.url) == before


def test_accepting_after_the_case_moved_on_is_a_conflict(desk: Desk) -> None:
    submission = _submit(desk)
    # The lead records containment directly meanwhile.
    desk.run(lambda s: advance(s, case_id=desk.cases["ACME"], trigger="contain",
                               fields={"containment": "our own sorting"}, note=None,
                               actor="lead", now=T0, policy=desk.policy))
    before = snapshot(desk.url)
    with pytest.raises(Conflict) as refused:
        desk.run(lambda s: accept(s, submission_id=submission.id or 0, principal=LEAD,
                                  now=LATER, policy=desk.policy))
    assert "moved on" in refused.value.message
    assert snapshot(desk.url) == before


def test_accepting_after_a_recurrence_was_counted_is_a_conflict(desk: Desk) -> None:
    # Same state, same step owed, but the case changed since the supplier looked at it.
    submission = _submit(desk)
    desk.run(lambda s: record_occurrence(s, case_id=desk.cases["ACME"], fields={}, note=None,
                                         actor="intake", now=T0, policy=desk.policy))
    with pytest.raises(Conflict):
        desk.run(lambda s: accept(s, submission_id=submission.id or 0, principal=LEAD,
                                  now=LATER, policy=desk.policy))


def test_a_viewer_may_neither_accept_nor_reject(desk: Desk) -> None:
    submission = _submit(desk)
    before = snapshot(desk.url)
    with pytest.raises(NotPermitted):
        desk.run(lambda s: accept(s, submission_id=submission.id or 0, principal=VIEWER,
                                  now=LATER, policy=desk.policy))
    with pytest.raises(NotPermitted):
        desk.run(lambda s: reject(s, submission_id=submission.id or 0, principal=VIEWER,
                                  reason="no", now=LATER))
    assert snapshot(desk.url) == before


def test_a_decided_submission_cannot_be_decided_again(desk: Desk) -> None:
    submission = _submit(desk)
    desk.run(lambda s: reject(s, submission_id=submission.id or 0, principal=LEAD,
                              reason="incomplete", now=LATER))
    before = snapshot(desk.url)
    with pytest.raises(Conflict):
        desk.run(lambda s: accept(s, submission_id=submission.id or 0, principal=LEAD,
                                  now=LATER, policy=desk.policy))
    with pytest.raises(Conflict):
        desk.run(lambda s: reject(s, submission_id=submission.id or 0, principal=LEAD,
                                  reason="again", now=LATER))
    with pytest.raises(NotFound):
        desk.run(lambda s: accept(s, submission_id=424242, principal=LEAD, now=LATER,
                                  policy=desk.policy))
    assert snapshot(desk.url) == before


def test_pending_lists_oldest_first_by_supplier_and_case(desk: Desk) -> None:
    acme = _submit(desk, "ACME")
    beta = desk.run(lambda s: submit(
        s, principal=desk.suppliers["BETA"], case_id=desk.cases["BETA"], trigger="contain",
        fields={"containment": "BETA sorted"}, note=None, now=T0 - timedelta(minutes=5)))
    assert [p.id for p in desk.run(lambda s: pending(s))] == [beta.id, acme.id]
    acme_id = desk.suppliers["ACME"].supplier_id
    assert [p.id for p in desk.run(lambda s: pending(s, supplier_id=acme_id))] == [acme.id]
    assert [p.id for p in desk.run(lambda s: pending(s, case_id=desk.cases["BETA"]))] == [
        beta.id]
