"""record_lot and plan_for against SQLite and PostgreSQL: switching as lots arrive, the
containment hold, the not-cooperative rule, discontinuation, and the rejected lot's case."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict
from capaflow.inspection import InspectionPolicy, plan_for, resume_inspection
from capaflow.inspection.lots import accepted_one_step_tighter
from capaflow.models import Case, InspectionHold, InspectionLot, Notification, SwitchingState
from capaflow.sampling import plan
from tests.conftest import T0
from tests.inspection.support import LOT_SIZE, PART, Lots, add_acme, rate_not_cooperative

APPROVED = InspectionPolicy(reduced_approved=True)


@pytest.fixture
def lots(session: Session, policy: DeadlinePolicy) -> Lots:
    add_acme(session)
    return Lots(session, policy)


def state(session: Session) -> SwitchingState:
    found = session.exec(select(SwitchingState).where(SwitchingState.part == PART)).one()
    return found


def test_rejected_lot_opens_an_8d_case_through_the_intake_and_notifies_the_supplier(
    session: Session, lots: Lots
) -> None:
    result = lots.reject()

    assert not result.accepted and result.intake is not None
    assert result.intake.outcome == "new_case" and result.case_id is not None
    case = session.get(Case, result.case_id)
    assert case is not None
    assert (case.part, case.defect_code, case.state) == (PART, "CRACK", "containment")
    lot = session.exec(select(InspectionLot)).one()
    assert lot.case_id == result.case_id and lot.severity == "normal" and not lot.accepted
    notice = session.exec(
        select(Notification).where(Notification.kind == "lot_rejected")
    ).one()
    assert notice.audience == ["supplier_contact"]
    assert notice.case_id == result.case_id
    assert notice.dedupe_key == f"inspection_lot:{lot.id}:rejected"
    assert "L001" in notice.subject and "REJECTED" in notice.body


def test_second_rejected_lot_with_the_same_defect_adds_an_occurrence_to_the_case(
    session: Session, lots: Lots
) -> None:
    first = lots.reject()
    lots.clear_hold()
    second = lots.reject()
    assert second.intake is not None and second.intake.outcome == "occurrence"
    assert second.case_id == first.case_id
    assert len(session.exec(select(Notification).where(
        Notification.kind == "lot_rejected")).all()) == 2


def test_containment_holds_the_next_three_lots_at_100_percent_then_sampling_resumes(
    session: Session, lots: Lots
) -> None:
    rejected = lots.reject()
    case_id = rejected.case_id
    assert rejected.hold_after is not None and rejected.hold_after.lots_remaining == 3

    for k in (1, 2, 3):
        plan_ = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                         level=None, now=lots.at, policy=lots.inspection)
        assert (plan_.severity, plan_.sample_size) == ("100%", LOT_SIZE)
        assert (plan_.acceptance_number, plan_.rejection_number) == (0, 1)
        assert f"containment of case #{case_id}: lot {k} of 3" in plan_.why
        result = lots.record(defects=0, sampled=LOT_SIZE)
        assert result.plan.severity == "100%" and result.step is None
        assert result.counted_hold is not None
        assert result.counted_hold.lots_remaining == 3 - k

    hold = session.exec(select(InspectionHold)).one()
    assert hold.lots_remaining == 0 and hold.released_at is not None
    after = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                     level=None, now=lots.at, policy=lots.inspection)
    assert (after.severity, after.sample_size, after.hold) == ("normal", 50, None)
    # The held lots were containment, not ISO sampling: the switching state saw one lot.
    assert state(session).recent == [False]


def test_held_lot_must_be_inspected_whole(session: Session, lots: Lots) -> None:
    lots.reject()
    with pytest.raises(BadInput) as refused:
        lots.record(defects=0, sampled=LOT_SIZE - 1)
    assert refused.value.field == "sampled" and f"n = {LOT_SIZE}" in refused.value.message


def test_rejected_held_lot_renews_the_hold_to_three(session: Session, lots: Lots) -> None:
    lots.reject()
    lots.record(defects=0, sampled=LOT_SIZE)
    result = lots.record(defects=1, sampled=LOT_SIZE)
    assert not result.accepted and result.counted_remaining == 1
    assert result.hold_after is not None and result.hold_after.lots_remaining == 3


def test_two_rejected_lots_on_normal_then_five_accepted_on_tightened_return_to_normal(
    session: Session, lots: Lots
) -> None:
    lots.reject()
    lots.clear_hold()
    second = lots.reject()
    assert [(s.from_severity, s.to_severity) for s in second.switches] == [
        ("normal", "tightened")
    ]
    assert state(session).severity == "tightened"
    lots.clear_hold()
    tight = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                     level=None, now=lots.at, policy=lots.inspection)
    expected = plan(LOT_SIZE, "1.0", "II", "tightened")
    assert (tight.severity, tight.sample_size, tight.acceptance_number) == (
        "tightened", expected.sample_size, expected.ac
    )
    lots.accept(4)
    assert state(session).consecutive_accepted == 4
    fifth = lots.accept()
    assert fifth.switching.severity == "normal" and fifth.switches[0].to_severity == "normal"
    assert state(session).extra["last_switch"]["to"] == "normal"


def test_five_rejected_lots_on_tightened_stop_inspection_until_resumed(
    session: Session, lots: Lots
) -> None:
    lots.reject()
    lots.clear_hold()
    lots.reject()
    for _ in range(4):
        lots.clear_hold()
        lots.reject()
    assert state(session).rejected_on_tightened == 4
    lots.clear_hold()
    last = lots.reject()
    assert last.switching.severity == "stopped"

    with pytest.raises(Conflict) as stopped:
        plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                 level=None, now=lots.at, policy=lots.inspection)
    assert "supplier must act" in stopped.value.message and "9.4" in stopped.value.message
    session.rollback()
    # Stopped comes before the containment hold the last rejection placed.
    with pytest.raises(Conflict):
        lots.record(defects=0, sampled=LOT_SIZE)
    session.rollback()

    resume_inspection(session, supplier_code="ACME", part=PART, reason="new die, 8D closed",
                      actor="lena", now=lots.at)
    session.commit()
    assert state(session).severity == "tightened"
    assert state(session).rejected_on_tightened == 0


def test_resume_refuses_a_part_that_is_not_stopped(session: Session, lots: Lots) -> None:
    lots.accept()
    with pytest.raises(Conflict):
        resume_inspection(session, supplier_code="ACME", part=PART, reason="x", actor="lena",
                          now=lots.at)


def test_switching_score_of_30_with_approval_goes_to_reduced_and_a_rejection_back(
    session: Session, policy: DeadlinePolicy
) -> None:
    add_acme(session)
    lots = Lots(session, policy, APPROVED)
    lots.accept(14)
    assert (state(session).severity, state(session).switching_score) == ("normal", 28)
    fifteenth = lots.accept()
    assert fifteenth.switching.severity == "reduced"
    reduced = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                       level=None, now=lots.at, policy=APPROVED)
    assert reduced.severity == "reduced"
    assert reduced.sample_size == plan(LOT_SIZE, "1.0", "II", "reduced").sample_size
    back = lots.reject()
    assert back.switching.severity == "normal" and back.switching.switching_score == 0


def test_switching_score_without_approval_keeps_normal(session: Session, lots: Lots) -> None:
    lots.accept(16)
    assert (state(session).severity, state(session).switching_score) == ("normal", 32)


def test_irregular_production_blocks_the_switch_to_reduced(
    session: Session, policy: DeadlinePolicy
) -> None:
    add_acme(session)
    lots = Lots(session, policy, APPROVED)
    lots.accept(14)
    assert lots.accept(steady_production=False).switching.severity == "normal"


def test_score_adds_three_for_ac_2_or_more_only_when_accepted_at_one_step_tighter_aql(
    session: Session, lots: Lots
) -> None:
    # AQL 4.0, lot 500: H, n 50, Ac 5; one step tighter (2.5) the same sample has Ac 3.
    assert plan(LOT_SIZE, "4.0", "II").ac == 5 and plan(LOT_SIZE, "2.5", "II").ac == 3
    lots.record(defects=3, aql="4.0")
    assert state(session).switching_score == 3
    lots.record(defects=3, aql="4.0")
    assert state(session).switching_score == 6
    accepted_but_not_tighter = lots.record(defects=4, aql="4.0")
    assert accepted_but_not_tighter.accepted
    assert state(session).switching_score == 0


def test_one_step_tighter_reads_the_plan_row_actually_used() -> None:
    sampling = plan(LOT_SIZE, "4.0", "II")
    assert accepted_one_step_tighter(sampling, 3) and not accepted_one_step_tighter(sampling, 4)


def test_not_cooperative_supplier_is_inspected_tightened_at_the_least(
    session: Session, lots: Lots
) -> None:
    rate_not_cooperative(session)
    plan_ = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                     level=None, now=T0, policy=APPROVED)
    assert plan_.severity == "tightened" and plan_.not_cooperative
    assert "not cooperative" in plan_.why
    result = lots.accept()
    assert result.plan.severity == "tightened" and state(session).severity == "tightened"
    lots.accept(10)
    assert state(session).severity == "tightened", "never normal while rated not cooperative"


def test_not_cooperative_supplier_is_sampled_wider_as_well_as_stricter(
    session: Session, lots: Lots
) -> None:
    # 500 pieces at AQL 1.0: level II is letter H (50 pieces), level III letter J (80).
    cooperative = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE,
                           aql="1.0", level="II", now=T0, policy=APPROVED)
    rate_not_cooperative(session)
    wider = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql="1.0",
                     level="II", now=T0, policy=APPROVED)
    assert (cooperative.level, cooperative.code_letter) == ("II", "H")
    assert (wider.severity, wider.level, wider.code_letter) == ("tightened", "III", "J")
    assert wider.sample_size > cooperative.sample_size
    assert (wider.sample_size, wider.acceptance_number) == (
        plan(LOT_SIZE, "1.0", "III", "tightened").sample_size,
        plan(LOT_SIZE, "1.0", "III", "tightened").ac,
    )
    assert "level raised from II to III" in wider.why and "not cooperative" in wider.why


@pytest.mark.parametrize(
    ("policy", "level", "sampled_at"),
    [
        (InspectionPolicy(not_cooperative_level=""), "II", "II"),  # tightened only
        (APPROVED, "S-2", "S-2"),  # special levels: chosen for destructive tests, kept
        (APPROVED, "III", "III"),  # already as wide
        (InspectionPolicy(not_cooperative_level="II"), "I", "II"),
    ],
)
def test_not_cooperative_level_raises_only_a_lower_general_level(
    session: Session, lots: Lots, policy: InspectionPolicy, level: str, sampled_at: str
) -> None:
    rate_not_cooperative(session)
    plan_ = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql="1.0",
                     level=level, now=T0, policy=policy)
    assert (plan_.severity, plan_.level) == ("tightened", sampled_at)
    assert ("level raised" in plan_.why) == (level != sampled_at)


def test_a_rating_from_a_later_month_does_not_count_yet(session: Session, lots: Lots) -> None:
    rate_not_cooperative(session, month="2026-04")
    plan_ = plan_for(session, supplier_code="ACME", part=PART, lot_size=LOT_SIZE, aql=None,
                     level=None, now=T0, policy=APPROVED)
    assert plan_.severity == "normal"


def test_duplicate_lot_is_a_conflict(session: Session, lots: Lots) -> None:
    lots.accept()
    lots.count -= 1  # the same lot number again
    with pytest.raises(Conflict) as duplicate:
        lots.accept()
    assert duplicate.value.field == "lot" and "already recorded" in duplicate.value.message
    session.rollback()
    assert len(session.exec(select(InspectionLot).order_by(col(InspectionLot.id))).all()) == 1
