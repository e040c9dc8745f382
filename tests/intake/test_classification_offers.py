"""When the pages offer the lead's classification and "replacement parts received"
(intake.classification may_classify and parts_owed): exactly where `capa defect classify` and
`capa defect parts-received` would act, so a page never shows a form the rule refuses."""

from __future__ import annotations

from sqlmodel import Session

from capaflow.casework.engine import get_case, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.intake.classification import may_classify, parts_owed, record_parts_received
from tests.conftest import T0
from tests.intake.support import H, add_acme, open_by_hand, record, step


def test_an_open_supplier_8d_case_may_be_classified_and_owes_the_replacement_of_its_pieces(
    session: Session, policy: DeadlinePolicy,
) -> None:
    add_acme(session)
    result = record(session, policy, at=T0)  # one piece: sporadic, its replacement owed
    assert result.case_id is not None
    case = get_case(session, result.case_id)
    assert may_classify(case)
    assert [d.key for d in parts_owed(session, result.case_id)] == ["replacement"]

    record_parts_received(session, case_id=result.case_id, note=None, actor="lena",
                          now=T0 + H, policy=policy)
    session.commit()
    assert parts_owed(session, result.case_id) == []


def test_a_case_without_a_supplier_or_ended_is_not_classified_and_owes_no_parts(
    session: Session, policy: DeadlinePolicy,
) -> None:
    add_acme(session)
    opened = open_case(
        session, lifecycle="pdca", title="Fewer scratches", supplier_code=None, part=None,
        defect_code=None, severity="minor", complex_cause=False, owner="lena", team=None,
        problem=None, actor="lena", now=T0, policy=policy,
    )
    session.commit()
    assert opened.case.id is not None
    assert not may_classify(get_case(session, opened.case.id))
    assert parts_owed(session, opened.case.id) == []

    case_id = open_by_hand(session, policy)
    assert may_classify(get_case(session, case_id))
    step(session, policy, case_id, "cancel", T0 + H, reason="opened by mistake")
    assert not may_classify(get_case(session, case_id))
