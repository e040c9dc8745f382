"""The engine's rules on a real database: deadlines by milestone, versions, all-or-nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.casework.engine import StepResult, advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import Case, CaseEvent, Deadline, Notification
from capaflow.models.db import session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot

H = timedelta(hours=1)
D = timedelta(days=1)


def _open(
    session: Session, policy: DeadlinePolicy, *, complex_cause: bool = False, at: datetime = T0
) -> int:
    result = open_case(
        session, lifecycle="8d", title="Burr on bracket", supplier_code="ACME",
        part="BRK-1", defect_code="BURR", severity="major", complex_cause=complex_cause,
        owner="lena", team="lena, marco", problem="Sharp burr", actor="lena", now=at,
        policy=policy,
    )
    session.commit()
    assert result.case.id is not None
    return result.case.id


def _step(
    session: Session, policy: DeadlinePolicy, case_id: int, trigger: str, at: datetime,
    **fields: str,
) -> StepResult:
    result = advance(
        session, case_id=case_id, trigger=trigger, fields=fields, note=None, actor="lena",
        now=at, policy=policy,
    )
    session.commit()
    return result


def _deadline(session: Session, case_id: int, key: str) -> Deadline:
    rows = session.exec(
        select(Deadline).where(Deadline.case_id == case_id).where(Deadline.key == key)
        .order_by(Deadline.id.desc())  # type: ignore[union-attr]
    ).all()
    assert rows, f"no {key} deadline"
    return rows[0]


@pytest.fixture
def acme(session: Session) -> None:
    add_supplier(session, code="ACME", name="Acme", contact="json://127.0.0.1:9/acme",
                 quality_head=None, executive=None, now=T0 - D)
    session.commit()


ROOT_CAUSE = {"root_cause": "worn die", "escape_point": "no burr check", "category": "machine"}


def _to_long_term(session: Session, policy: DeadlinePolicy, case_id: int, **extra: str) -> None:
    _step(session, policy, case_id, "contain", T0 + 20 * H, containment="sorted stock")
    _step(session, policy, case_id, "find_root_cause", T0 + 3 * D, **ROOT_CAUSE, **extra)
    _step(session, policy, case_id, "apply_short_term_fix", T0 + 4 * D, short_term_fix="deburr")


def test_opening_records_d1_d2_and_starts_containment_due_in_24_hours(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    case = session.get(Case, case_id)
    assert case is not None and case.state == "containment"
    assert case.content["team"] == ["lena", "marco"]
    assert case.content["problem"] == "Sharp burr"
    containment = _deadline(session, case_id, "containment")
    assert containment.due_at == T0 + 24 * H
    assert containment.status == "pending"


def test_root_cause_is_due_three_days_after_containment_is_done(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    result = _step(session, policy, case_id, "contain", T0 + 20 * H, containment="sorted")
    assert [d.key for d in result.deadlines.met] == ["containment"]
    assert result.deadlines.met[0].met_on_time is True
    assert _deadline(session, case_id, "root_cause").due_at == T0 + 20 * H + 3 * D


def test_containment_after_24_hours_is_met_late(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _step(session, policy, case_id, "contain", T0 + 25 * H, containment="sorted")
    containment = _deadline(session, case_id, "containment")
    assert containment.status == "met" and containment.met_on_time is False
    assert containment.closed_at == T0 + 25 * H


@pytest.mark.parametrize(("complex_cause", "days"), [(False, 7), (True, 10)])
def test_long_term_countermeasure_due_7_or_10_days_after_root_cause_across_short_term_fix(
    session: Session, policy: DeadlinePolicy, acme: None, complex_cause: bool, days: int
) -> None:
    case_id = _open(session, policy, complex_cause=complex_cause)
    _to_long_term(session, policy, case_id)
    long_term = _deadline(session, case_id, "long_term_countermeasure")
    # Started by find_root_cause, untouched by the short-term fix in between.
    assert long_term.started_by == "find_root_cause"
    assert long_term.due_at == T0 + 3 * D + days * D
    assert long_term.status == "pending"
    assert _deadline(session, case_id, "short_term_fix").status == "met"
    result = _step(session, policy, case_id, "implement_countermeasure", T0 + 8 * D,
                   countermeasure="die reground")
    assert [d.key for d in result.deadlines.met] == ["long_term_countermeasure"]
    assert result.case.state == "effectiveness_tracking"


def test_complexity_found_at_root_cause_sets_ten_days(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _to_long_term(session, policy, case_id, complexity="complex")
    assert _deadline(session, case_id, "long_term_countermeasure").due_at == T0 + 13 * D


def test_countermeasure_starts_six_month_window_with_a_review_each_month(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _to_long_term(session, policy, case_id)
    at = T0 + 8 * D  # 2026-03-10
    _step(session, policy, case_id, "implement_countermeasure", at, countermeasure="x")
    window = _deadline(session, case_id, "effectiveness_window")
    assert window.due_at == at.replace(month=9)
    reviews = session.exec(
        select(Deadline).where(Deadline.case_id == case_id)
        .where(Deadline.key == "effectiveness_review").order_by(col(Deadline.sequence))
    ).all()
    assert [r.due_at.month for r in reviews] == [4, 5, 6, 7, 8, 9]
    assert all(r.status == "pending" for r in reviews)


def test_close_is_refused_inside_the_window_and_allowed_after_it(
    session: Session, policy: DeadlinePolicy, acme: None, db_url: str
) -> None:
    case_id = _open(session, policy)
    _to_long_term(session, policy, case_id)
    _step(session, policy, case_id, "implement_countermeasure", T0 + 8 * D, countermeasure="x")
    before = snapshot(db_url)
    with pytest.raises(Conflict, match="effectiveness window runs until"):
        _step(session, policy, case_id, "close", T0 + 30 * D)
    session.rollback()
    assert snapshot(db_url) == before
    result = _step(session, policy, case_id, "close", T0 + 8 * D + 200 * D, lessons="PM on dies")
    assert result.case.state == "closed"
    assert result.case.closed_at == T0 + 208 * D
    pending = session.exec(
        select(Deadline).where(Deadline.case_id == case_id).where(Deadline.status == "pending")
    ).all()
    assert pending == []


def test_reopen_cancels_what_is_pending_and_owes_containment_again(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _to_long_term(session, policy, case_id)
    _step(session, policy, case_id, "implement_countermeasure", T0 + 8 * D, countermeasure="v1")
    at = T0 + 40 * D
    result = _step(session, policy, case_id, "reopen", at, reason="burr again on lot 77")
    assert result.case.state == "containment"
    assert result.case.reopen_count == 1
    assert result.case.content["ineffective_countermeasures"] == ["v1"]
    assert {d.key for d in result.deadlines.cancelled} == {
        "effectiveness_window", "effectiveness_review"
    }
    assert _deadline(session, case_id, "containment").due_at == at + 24 * H


def test_cancel_needs_a_reason_and_cancels_pending_deadlines(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    with pytest.raises(BadInput, match="reason"):
        _step(session, policy, case_id, "cancel", T0 + H)
    session.rollback()
    result = _step(session, policy, case_id, "cancel", T0 + H, reason="duplicate of #7")
    assert result.case.state == "cancelled"
    assert [d.key for d in result.deadlines.cancelled] == ["containment"]


def test_reject_sends_back_one_step_and_owes_the_rejected_milestone_again(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _step(session, policy, case_id, "contain", T0 + 10 * H, containment="relabelled")
    result = _step(session, policy, case_id, "reject", T0 + 12 * H, reason="sort our stock")
    assert result.case.state == "containment"
    assert [d.key for d in result.deadlines.reinstated] == ["containment"]
    assert [d.key for d in result.deadlines.cancelled] == ["root_cause"]
    containment = _deadline(session, case_id, "containment")
    assert containment.status == "pending" and containment.due_at == T0 + 24 * H
    # Resubmitted after the original due time: late, however early the first try was.
    _step(session, policy, case_id, "contain", T0 + 30 * H, containment="sorted everything")
    assert _deadline(session, case_id, "containment").met_on_time is False


@pytest.mark.parametrize(
    ("trigger", "fields", "error", "field"),
    [
        ("contain", {}, BadInput, "containment"),
        ("find_root_cause", {"containment": "x"}, Conflict, "trigger"),
        ("contain", {"containment": "x", "colour": "red"}, BadInput, "colour"),
        ("fly", {}, BadInput, "trigger"),
    ],
)
def test_a_refused_step_writes_nothing(
    session: Session, policy: DeadlinePolicy, acme: None, db_url: str,
    trigger: str, fields: dict[str, str], error: type[Exception], field: str,
) -> None:
    case_id = _open(session, policy)
    before = snapshot(db_url)
    with pytest.raises(error) as raised:
        _step(session, policy, case_id, trigger, T0 + H, **fields)
    session.rollback()
    assert getattr(raised.value, "field", None) == field
    assert snapshot(db_url) == before


def test_root_cause_category_must_be_a_5m1e_factor(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _step(session, policy, case_id, "contain", T0 + H, containment="x")
    with pytest.raises(BadInput, match="man, machine, material, method, environment"):
        _step(session, policy, case_id, "find_root_cause", T0 + 2 * H,
              root_cause="r", escape_point="e", category="weather")


def test_disallowed_trigger_lists_the_allowed_ones(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    with pytest.raises(Conflict) as raised:
        _step(session, policy, case_id, "implement_countermeasure", T0 + H, countermeasure="x")
    assert raised.value.allowed == ("contain", "cancel")
    assert "allowed: contain, cancel" in raised.value.message


def test_unknown_case_is_not_found(session: Session, policy: DeadlinePolicy) -> None:
    with pytest.raises(NotFound):
        _step(session, policy, 999, "contain", T0, containment="x")


def test_stale_expected_version_is_a_conflict(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    with pytest.raises(Conflict, match="version"):
        advance(session, case_id=case_id, trigger="contain", fields={"containment": "x"},
                note=None, actor="a", now=T0 + H, policy=policy, expected_version=7)


def test_two_sessions_advancing_the_same_case_one_wins_one_conflicts(
    engine: Engine, session: Session, policy: DeadlinePolicy, acme: None, db_url: str
) -> None:
    case_id = _open(session, policy)
    first = Session(engine, expire_on_commit=False)
    second = Session(engine, expire_on_commit=False)
    try:
        # Both read the case at the same version before either writes.
        read_first, read_second = first.get(Case, case_id), second.get(Case, case_id)
        assert read_first is not None and read_second is not None
        assert read_first.version == read_second.version
        version = read_first.version
        advance(first, case_id=case_id, trigger="contain", fields={"containment": "A"},
                note=None, actor="a", now=T0 + H, policy=policy)
        first.commit()
        before = snapshot(db_url)
        with pytest.raises(Conflict):
            advance(second, case_id=case_id, trigger="contain", fields={"containment": "B"},
                    note=None, actor="b", now=T0 + 2 * H, policy=policy)
            second.commit()
        second.rollback()
        assert snapshot(db_url) == before
    finally:
        first.close()
        second.close()
    with session_scope(engine) as check:
        case = check.get(Case, case_id)
        assert case is not None and case.content["containment"] == "A"
        assert case.version == version + 1


def test_each_step_writes_state_event_deadlines_and_outbox_together(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _step(session, policy, case_id, "contain", T0 + H, containment="x")
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
    notices = session.exec(select(Notification).where(Notification.case_id == case_id)).all()
    assert [e.action for e in events] == ["open", "contain"]
    assert [n.kind for n in notices] == ["case_moved", "case_moved"]
    assert notices[1].audience == ["owner", "supplier_contact"]
    assert "Root cause" in notices[1].body or "root cause" in notices[1].body


def test_a_rejected_root_cause_does_not_leave_its_complexity_behind(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    case_id = _open(session, policy)
    _step(session, policy, case_id, "contain", T0 + H, containment="x")
    _step(session, policy, case_id, "find_root_cause", T0 + 2 * H, **ROOT_CAUSE,
          complexity="complex")
    _step(session, policy, case_id, "reject", T0 + 3 * H, reason="not proven")
    _step(session, policy, case_id, "find_root_cause", T0 + 3 * D, **ROOT_CAUSE)
    # As opened (general): 7 days from the accepted root cause, not 10.
    assert _deadline(session, case_id, "long_term_countermeasure").due_at == T0 + 10 * D
    case = session.get(Case, case_id)
    assert case is not None and case.complexity == "general"


def test_a_case_in_effectiveness_tracking_is_not_overdue_while_its_window_runs(
    session: Session, policy: DeadlinePolicy, acme: None
) -> None:
    from capaflow.models.queries import list_cases

    case_id = _open(session, policy)
    _to_long_term(session, policy, case_id)
    _step(session, policy, case_id, "implement_countermeasure", T0 + 5 * D, countermeasure="x")
    # Review #1 is past due (the sweep has not run), but the case owes nothing.
    assert list_cases(session, now=T0 + 40 * D, overdue=True) == []
