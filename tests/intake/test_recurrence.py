"""The recurrence intake on a real database (SQLite and PostgreSQL): what a defect does to the
8D case of its supplier, part and defect code, the 100 % inspection it orders, and what it
refuses. Times are fixed from T0 (Monday 2026-03-02 09:00 UTC)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.config import load_policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, NotFound
from capaflow.intake import IntakePolicy, load_intake_policy, open_hold, record_defect
from capaflow.models import Case, CaseEvent, Deadline, DefectEvent, InspectionHold, Notification
from capaflow.models.db import session_scope
from tests.conftest import T0
from tests.helpers import snapshot
from tests.intake.support import (
    DEFECT,
    PART,
    D,
    H,
    add_acme,
    close_as_effective,
    open_by_hand,
    record,
    step,
    window,
    work_case,
)

MONTH = 30 * D


@pytest.fixture
def acme(session: Session) -> None:
    add_acme(session)


def _case(session: Session, case_id: int | None) -> Case:
    assert case_id is not None
    case = session.get(Case, case_id)
    assert case is not None
    return case


def _events(session: Session, case_id: int, action: str) -> list[CaseEvent]:
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id)
            .where(CaseEvent.action == action).order_by(col(CaseEvent.seq))
        )
    )


def _deadlines(session: Session, case_id: int, key: str) -> list[Deadline]:
    return list(
        session.exec(
            select(Deadline).where(Deadline.case_id == case_id).where(Deadline.key == key)
            .order_by(col(Deadline.id))
        )
    )


def _holds(session: Session) -> list[InspectionHold]:
    return list(session.exec(select(InspectionHold).order_by(col(InspectionHold.id))))


# --- matching ----------------------------------------------------------------------------------


def test_first_defect_of_a_key_opens_a_new_8d_case_in_containment_due_in_24_hours(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    result = record(session, policy, at=T0, occurred_at=T0 - 2 * H, quantity=4,
                    source="incoming", note="found at goods-in")

    assert result.outcome == "new_case" and result.linked_case_id is None
    case = _case(session, result.case_id)
    assert (case.lifecycle, case.state, case.severity) == ("8d", "containment", "major")
    assert (case.part, case.defect_code, case.linked_case_id) == (PART, DEFECT, None)
    assert "found at goods-in" in case.content["problem"]
    [containment] = _deadlines(session, case.id or 0, "containment")
    assert containment.due_at == T0 + 24 * H
    [defect] = session.exec(select(DefectEvent)).all()
    assert (defect.case_id, defect.outcome, defect.quantity, defect.source) == (
        case.id, "new_case", 4, "incoming"
    )
    assert (defect.occurred_at, defect.recorded_at) == (T0 - 2 * H, T0)


@pytest.mark.parametrize("steps_taken", [0, 1, 2, 3], ids=[
    "containment", "root_cause", "short_term_fix", "long_term_countermeasure",
])
def test_defect_on_a_case_still_being_worked_counts_one_more_occurrence_and_is_audited(
    session: Session, policy: DeadlinePolicy, acme: None, steps_taken: int
) -> None:
    case_id = open_by_hand(session, policy)
    last = work_case(session, policy, case_id, steps=steps_taken)
    state_before = _case(session, case_id).state

    result = record(session, policy, at=last + H, quantity=2)

    assert (result.outcome, result.case_id) == ("occurrence", case_id)
    case = _case(session, case_id)
    assert (case.state, case.occurrences, case.reopen_count) == (state_before, 2, 0)
    [event] = _events(session, case_id, "occurrence")
    assert event.fields["defect"] == f"defect event {result.defect.id}"
    assert event.fields["quantity"] == "2"
    assert event.fields["occurred_at"] == (last + H).isoformat()
    assert session.exec(select(Case)).all() == [case], "no second case opened"
    notice = session.exec(
        select(Notification).where(Notification.kind == "occurrence")
    ).one()
    assert notice.case_id == case_id


def test_recurrence_inside_six_months_reopens_case_to_containment(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)
    fixed = work_case(session, policy, case_id)
    recurrence = fixed + 2 * MONTH

    result = record(session, policy, at=recurrence, quantity=3)

    assert (result.outcome, result.case_id, result.linked_case_id) == ("reopened", case_id, None)
    case = _case(session, case_id)
    assert (case.state, case.reopen_count) == ("containment", 1)
    assert case.content["ineffective_countermeasures"] == ["new die, crack test in the cell"]
    [event] = _events(session, case_id, "reopen")
    assert event.from_state == "effectiveness_tracking"
    assert event.fields["reason"].startswith("recurrence: 3 × CRACK on HSG-100 from ACME")
    assert event.fields["defect"] == f"defect event {result.defect.id}"
    defect = session.get(DefectEvent, result.defect.id)
    assert defect is not None and (defect.case_id, defect.outcome) == (case_id, "reopened")


def test_reopen_owes_a_new_containment_24_hours_after_the_recurrence_and_ends_the_window(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)
    recurrence = work_case(session, policy, case_id) + 2 * MONTH + 5 * H

    record(session, policy, at=recurrence)

    first, second = _deadlines(session, case_id, "containment")
    assert first.status == "met"
    assert (second.status, second.started_at, second.due_at) == (
        "pending", recurrence, recurrence + 24 * H
    )
    assert window(session, case_id).status == "cancelled"
    reviews = _deadlines(session, case_id, "effectiveness_review")
    assert {r.status for r in reviews if r.due_at > recurrence} == {"cancelled"}


def test_a_second_recurrence_counts_a_second_reopen(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)
    fixed = work_case(session, policy, case_id)
    record(session, policy, at=fixed + MONTH)
    fixed_again = work_case(session, policy, case_id, opened=fixed + MONTH)

    result = record(session, policy, at=fixed_again + MONTH)

    assert result.outcome == "reopened"
    assert _case(session, case_id).reopen_count == 2


def test_reopen_queues_the_reopened_notice_for_owner_and_supplier_contact(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)
    recurrence = work_case(session, policy, case_id) + MONTH

    record(session, policy, at=recurrence)

    notice = session.exec(select(Notification).where(Notification.kind == "reopened")).one()
    assert notice.case_id == case_id
    assert notice.audience == ["owner", "supplier_contact"]
    assert notice.status == "pending"
    assert "containment" in notice.body


def test_defect_after_case_closed_as_effective_opens_new_case_linked_to_it_with_its_owner(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    earlier = open_by_hand(session, policy, owner="marco")
    closed = close_as_effective(session, policy, earlier)
    assert _case(session, earlier).state == "closed"

    result = record(session, policy, at=closed + MONTH)

    assert (result.outcome, result.linked_case_id) == ("new_case", earlier)
    case = _case(session, result.case_id)
    assert case.id != earlier
    assert (case.state, case.linked_case_id, case.owner) == ("containment", earlier, "marco")
    assert (case.part, case.defect_code, case.severity) == (PART, DEFECT, "major")
    assert _case(session, earlier).state == "closed", "the closed case stays closed"


def test_new_case_follows_the_most_recent_of_several_closed_cases(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    first = open_by_hand(session, policy, owner="marco")
    closed = close_as_effective(session, policy, first)
    second = open_by_hand(session, policy, at=closed + D, owner="lena")
    closed_again = close_as_effective(session, policy, second)

    result = record(session, policy, at=closed_again + D)

    assert result.linked_case_id == second
    assert _case(session, result.case_id).owner == "lena"


def test_cancelled_case_is_ignored_for_matching(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    cancelled = open_by_hand(session, policy)
    step(session, policy, cancelled, "cancel", T0 + H, reason="opened on the wrong part")

    result = record(session, policy, at=T0 + 2 * H)

    assert (result.outcome, result.linked_case_id) == ("new_case", None)
    assert result.case_id != cancelled
    assert _case(session, result.case_id).owner is None


def test_of_several_open_cases_the_most_recent_takes_the_occurrence(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    older = open_by_hand(session, policy, at=T0)
    newer = open_by_hand(session, policy, at=T0 + H)

    result = record(session, policy, at=T0 + 2 * H)

    assert (result.outcome, result.case_id) == ("occurrence", newer)
    assert _case(session, older).occurrences == 1


def test_defect_of_another_part_or_defect_code_does_not_match(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)

    other_part = record(session, policy, at=T0 + H, part="HSG-200")
    other_code = record(session, policy, at=T0 + 2 * H, defect_code="POROSITY")

    assert other_part.outcome == other_code.outcome == "new_case"
    assert len({case_id, other_part.case_id, other_code.case_id}) == 3


def test_defect_from_before_the_countermeasure_is_counted_without_reopening(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)
    fixed = work_case(session, policy, case_id)

    # Reported late: it happened before the countermeasure, so it says nothing about it.
    result = record(session, policy, at=fixed + D, occurred_at=fixed - D)

    assert (result.outcome, result.case_id) == ("occurrence", case_id)
    case = _case(session, case_id)
    assert (case.state, case.reopen_count, case.occurrences) == ("effectiveness_tracking", 0, 2)


def test_defect_after_the_window_ended_opens_a_new_case_and_leaves_the_old_one_to_the_sweep(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)
    work_case(session, policy, case_id)
    # Six months without recurrence are over; the sweep has not closed the case yet.
    after_window = window(session, case_id).due_at + H

    result = record(session, policy, at=after_window)

    assert (result.outcome, result.linked_case_id) == ("new_case", case_id)
    old = _case(session, case_id)
    assert (old.state, old.reopen_count) == ("effectiveness_tracking", 0)


def test_with_open_new_case_off_the_defect_is_recorded_without_a_case(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    result = record(session, policy, at=T0, intake=IntakePolicy(open_new_case=False))

    assert (result.outcome, result.case, result.step) == ("recorded", None, None)
    assert session.exec(select(Case)).all() == []
    [defect] = session.exec(select(DefectEvent)).all()
    assert (defect.case_id, defect.outcome) == (None, "recorded")
    [hold] = _holds(session)
    assert (hold.case_id, hold.lots_remaining) == (None, 3)


def test_with_open_new_case_off_a_recurrence_still_reopens_its_case(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = open_by_hand(session, policy)
    fixed = work_case(session, policy, case_id)

    result = record(session, policy, at=fixed + D, intake=IntakePolicy(open_new_case=False))

    assert (result.outcome, result.case_id) == ("reopened", case_id)


# --- 100 % inspection of the next lots ---------------------------------------------------------


def test_supplier_defect_puts_the_next_three_lots_of_the_part_on_100_percent_inspection(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    result = record(session, policy, at=T0)

    [hold] = _holds(session)
    assert (hold.lots_required, hold.lots_remaining, hold.released_at) == (3, 3, None)
    assert (hold.part, hold.case_id, hold.created_at) == (PART, result.case_id, T0)
    assert f"defect event {result.defect.id}" in hold.reason
    assert not result.hold.reset
    found = open_hold(session, result.supplier.id or 0, PART)
    assert found is not None and found.id == hold.id
    assert open_hold(session, result.supplier.id or 0, "HSG-200") is None


def test_a_second_defect_resets_the_open_hold_to_three_lots_rather_than_stacking_another(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    first = record(session, policy, at=T0)
    # Incoming inspection has since checked two of the three lots.
    hold = _holds(session)[0]
    hold.lots_remaining = 1
    session.add(hold)
    session.commit()

    second = record(session, policy, at=T0 + D)

    [hold] = _holds(session)
    assert (hold.lots_required, hold.lots_remaining) == (3, 3)
    assert second.hold.reset and second.hold.hold.id == first.hold.hold.id
    assert f"defect event {second.defect.id}" in hold.reason


def test_a_released_hold_is_not_renewed_a_new_one_is_placed(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    record(session, policy, at=T0)
    hold = _holds(session)[0]
    hold.lots_remaining, hold.released_at = 0, T0 + 3 * D
    session.add(hold)
    session.commit()

    second = record(session, policy, at=T0 + 5 * D)

    old, new = _holds(session)
    assert (old.lots_remaining, new.lots_remaining, new.created_at) == (0, 3, T0 + 5 * D)
    assert not second.hold.reset


def test_inspection_lots_comes_from_the_intake_policy(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    record(session, policy, at=T0, intake=IntakePolicy(inspection_lots=5))

    [hold] = _holds(session)
    assert (hold.lots_required, hold.lots_remaining) == (5, 5)


# --- refusals: nothing written -----------------------------------------------------------------


def test_unknown_supplier_is_not_found_naming_the_supplier_and_writes_nothing(
    session: Session, policy: DeadlinePolicy, acme: None, db_url: str
) -> None:
    before = snapshot(db_url)
    with pytest.raises(NotFound) as refused:
        record(session, policy, at=T0, supplier_code="NOPE")
    session.rollback()
    assert refused.value.field == "supplier" and "NOPE" in refused.value.message
    assert snapshot(db_url) == before


BAD_INPUT: list[tuple[str, dict[str, Any]]] = [
    ("part", {"part": "  "}),
    ("defect_code", {"defect_code": ""}),
    ("part", {"part": "P" * 101}),
    ("quantity", {"quantity": 0}),
    ("quantity", {"quantity": -3}),
    ("occurred_at", {"occurred_at": T0 + 40 * D + 1 * H}),
    ("occurred_at", {"occurred_at": datetime(2026, 3, 1, 9, 0)}),  # noqa: DTZ001 (the point)
    ("source", {"source": "plant"}),
    ("severity", {"severity": "urgent"}),
]


@pytest.mark.parametrize(("field", "bad"), BAD_INPUT, ids=[
    "blank part", "empty defect code", "part too long", "quantity 0", "negative quantity",
    "occurred after now", "occurred without offset", "unknown source", "unknown severity",
])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    session: Session, policy: DeadlinePolicy, acme: None, db_url: str,
    field: str, bad: dict[str, Any],
) -> None:
    # A case in effectiveness tracking: a defect that got through would reopen it.
    work_case(session, policy, open_by_hand(session, policy))
    before = snapshot(db_url)

    with pytest.raises(BadInput) as refused:
        record(session, policy, at=T0 + 40 * D, **bad)
    session.rollback()

    assert refused.value.field == field
    assert refused.value.message.startswith(f"{field}: ")
    assert snapshot(db_url) == before


# --- the [intake] policy -----------------------------------------------------------------------


def test_default_intake_policy_opens_new_cases_and_holds_three_lots() -> None:
    assert load_intake_policy(load_policies()["intake"]) == IntakePolicy(
        open_new_case=True, inspection_lots=3
    )


@pytest.mark.parametrize(("section", "field"), [
    ({"open_new_case": "yes"}, "intake.open_new_case"),
    ({"open_new_case": 1}, "intake.open_new_case"),
    ({"inspection_lots": 0}, "intake.inspection_lots"),
    ({"inspection_lots": -1}, "intake.inspection_lots"),
    ({"inspection_lots": "3"}, "intake.inspection_lots"),
    ({"inspection_lots": 2.5}, "intake.inspection_lots"),
    ({"inspection_lots": True}, "intake.inspection_lots"),
    ({"inspection_lot": 3}, "intake.inspection_lot"),
    ("on", "intake"),
])
def test_bad_intake_policy_value_is_refused_naming_its_key(section: Any, field: str) -> None:
    with pytest.raises(BadInput) as refused:
        load_intake_policy(section)
    assert refused.value.field == field
    assert refused.value.message.startswith(f"{field}: ")


# --- two intakes at once -----------------------------------------------------------------------


def test_two_defects_recorded_at_the_same_moment_open_one_case_not_two(
    engine: Engine, policy: DeadlinePolicy, acme: None
) -> None:
    first = Session(engine)
    record_defect(
        first, supplier_code="ACME", part=PART, defect_code=DEFECT, quantity=1,
        occurred_at=T0, source="line", note=None, actor="lena", now=T0, policy=policy,
        intake_policy=IntakePolicy(),
    )  # not committed yet: the first intake is still running
    outcomes: list[str] = []

    def second_intake() -> None:
        with session_scope(engine) as session:
            result = record_defect(
                session, supplier_code="ACME", part=PART, defect_code=DEFECT, quantity=1,
                occurred_at=T0, source="line", note=None, actor="marco", now=T0,
                policy=policy, intake_policy=IntakePolicy(),
            )
            outcomes.append(result.outcome)

    second = threading.Thread(target=second_intake)
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the second intake waits for the first"
    first.commit()
    first.close()
    second.join(10)

    assert outcomes == ["occurrence"]
    with Session(engine) as session:
        [case] = session.exec(select(Case)).all()
        assert case.occurrences == 2
        assert len(_holds(session)) == 1
