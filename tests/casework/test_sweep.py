"""The sweep's rules with an injected `now`: before, at and after each deadline; each fires once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.casework.engine import advance, open_case
from capaflow.casework.sweep import SweepReport, sweep
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Case, CaseEvent, Deadline, DefectEvent, Notification
from capaflow.models.db import session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.fixture
def case_id(engine: Engine, policy: DeadlinePolicy) -> int:
    with session_scope(engine) as session:
        add_supplier(session, code="ACME", name="Acme", contact="json://127.0.0.1:9/acme",
                     quality_head="json://127.0.0.1:9/acme-qh",
                     executive="json://127.0.0.1:9/acme-ceo", now=T0 - D)
        result = open_case(
            session, lifecycle="8d", title="Burr", supplier_code="ACME", part="BRK-1",
            defect_code="BURR", severity="major", complex_cause=False, owner="lena",
            team=None, problem=None, actor="lena", now=T0, policy=policy,
        )
        assert result.case.id is not None
        return result.case.id


def _step(engine: Engine, policy: DeadlinePolicy, case_id: int, trigger: str, at: datetime,
          **fields: str) -> None:
    with session_scope(engine) as session:
        advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                actor="lena", now=at, policy=policy)


def _sweep(engine: Engine, policy: DeadlinePolicy, at: datetime) -> SweepReport:
    return sweep(engine, now=at, policy=policy, batch_size=50)


def _notices(engine: Engine, kind: str | None = None) -> list[Notification]:
    with Session(engine) as session:
        query = select(Notification).order_by(col(Notification.id))
        if kind is not None:
            query = query.where(Notification.kind == kind)
        return list(session.exec(query))


def test_containment_is_reminded_two_hours_before_it_is_due_and_only_once(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    assert _sweep(engine, policy, T0 + 21 * H).reminders == 0  # 3 h before: too early
    assert _sweep(engine, policy, T0 + 22 * H).reminders == 1  # 2 h before: now
    assert _sweep(engine, policy, T0 + 22 * H).reminders == 0  # again at the same time
    assert _sweep(engine, policy, T0 + 23 * H).reminders == 0  # later, still before due
    [reminder] = _notices(engine, "reminder")
    assert reminder.audience == ["owner", "supplier_contact"]
    assert "D3 emergency containment is due" in reminder.body
    assert "Case #1: Burr" in reminder.body


def test_a_three_day_deadline_is_reminded_one_day_before(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    _step(engine, policy, case_id, "contain", T0 + H, containment="sorted")
    # Root cause due 3 days after containment: T0 + 1 h + 3 d; reminder 1 day before.
    assert _sweep(engine, policy, T0 + H + 2 * D - timedelta(minutes=1)).reminders == 0
    assert _sweep(engine, policy, T0 + H + 2 * D).reminders == 1


def test_overdue_escalates_level_by_level_to_the_ladder_audiences(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    due = T0 + 24 * H
    _sweep(engine, policy, due - 2 * H)
    assert _sweep(engine, policy, due - timedelta(seconds=1)).escalations == 0
    assert _sweep(engine, policy, due).escalations == 1
    assert _sweep(engine, policy, due + 2 * D - H).escalations == 0
    assert _sweep(engine, policy, due + 2 * D).escalations == 1
    assert _sweep(engine, policy, due + 5 * D).escalations == 1
    assert _sweep(engine, policy, due + 50 * D).escalations == 0  # the ladder has 3 levels
    levels = [(n.escalation_level, n.audience) for n in _notices(engine, "escalation")]
    assert levels == [
        (1, ["owner", "supplier_contact"]),
        (2, ["supplier_quality_head", "quality_lead"]),
        (3, ["supplier_executive", "quality_manager"]),
    ]


def test_a_late_sweep_sends_only_the_level_now_due_and_says_what_it_skipped(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    report = _sweep(engine, policy, T0 + 24 * H + 6 * D)
    assert (report.reminders, report.escalations) == (0, 1)
    [notice] = _notices(engine, "escalation")
    assert notice.escalation_level == 3
    assert "Levels 1, 2 fell due while nobody swept" in notice.body


def test_a_met_deadline_is_neither_reminded_nor_escalated(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    _step(engine, policy, case_id, "contain", T0 + H, containment="sorted")
    report = _sweep(engine, policy, T0 + 30 * H)
    assert report.actions == []
    assert _notices(engine, "escalation") == []


def _to_effectiveness(engine: Engine, policy: DeadlinePolicy, case_id: int) -> datetime:
    _step(engine, policy, case_id, "contain", T0 + H, containment="sorted")
    _step(engine, policy, case_id, "find_root_cause", T0 + 2 * D, root_cause="die",
          escape_point="no check", category="machine")
    _step(engine, policy, case_id, "apply_short_term_fix", T0 + 3 * D, short_term_fix="deburr")
    implemented = T0 + 4 * D
    _step(engine, policy, case_id, "implement_countermeasure", implemented,
          countermeasure="die reground")
    return implemented


def test_monthly_reviews_report_the_defects_since_the_countermeasure(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    implemented = _to_effectiveness(engine, policy, case_id)
    with session_scope(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.supplier_id is not None
        # A defect of another code, and one before the countermeasure: neither counts.
        for code, at in (("SCRATCH", implemented + D), ("BURR", implemented - D)):
            session.add(DefectEvent(supplier_id=case.supplier_id, part="BRK-1",
                                    defect_code=code, occurred_at=at, recorded_at=at))
    first = implemented.replace(month=implemented.month + 1)
    assert _sweep(engine, policy, first - H).reviews == 0
    assert _sweep(engine, policy, first).reviews == 1
    assert _sweep(engine, policy, first + H).reviews == 0
    [review] = _notices(engine, "review")
    assert "no recurrence so far" in review.body and review.audience == ["owner"]
    with Session(engine) as session:
        met = session.exec(select(Deadline).where(Deadline.key == "effectiveness_review")
                           .where(Deadline.status == "met")).all()
        assert [d.sequence for d in met] == [1]


def test_six_months_without_recurrence_close_the_case_with_an_event_that_says_why(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    implemented = _to_effectiveness(engine, policy, case_id)
    end = implemented.replace(month=implemented.month + 6)
    early = _sweep(engine, policy, end - H)
    assert (early.closures, early.reviews) == (0, 5)  # months 1 to 5, late but each once
    report = _sweep(engine, policy, end)
    assert (report.closures, report.reviews) == (1, 1)  # the last review, then the closure
    assert _sweep(engine, policy, end + D).closures == 0
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.state == "closed" and case.closed_at == end
        last = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                            .order_by(col(CaseEvent.seq).desc())).first()
        assert last is not None and last.action == "close" and last.actor == "capaflow"
        assert last.note is not None and "no recurrence" in last.note
    assert [n.kind for n in _notices(engine, "closed")] == ["closed"]


def test_sweeping_twice_at_the_same_time_queues_nothing_twice(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    at = T0 + 24 * H + 6 * D
    _sweep(engine, policy, at)
    before = len(_notices(engine))
    second = _sweep(engine, policy, at)
    assert second.actions == [] and len(_notices(engine)) == before


def test_the_sweep_cost_follows_the_rows_due_not_the_cases_open(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    """Only due rows are read: a sweep before anything is due handles no row at all."""
    report = _sweep(engine, policy, T0 + H)
    assert report.batches == 0 and report.actions == []


def test_a_deadline_met_between_the_sweeps_read_and_its_claim_gets_no_notice(
    sqlite_url: str, policy: DeadlinePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the due rows are read outside a transaction: a step landing in between must
    win, and the sweep must neither send nor count the escalation it no longer owns."""
    from capaflow.casework import sweep as sweep_module
    from capaflow.models.db import get_engine

    engine = get_engine(sqlite_url)
    with session_scope(engine) as session:
        result = open_case(
            session, lifecycle="8d", title="Burr", supplier_code=None, part="P",
            defect_code="D", severity="major", complex_cause=False, owner="lena", team=None,
            problem=None, actor="lena", now=T0, policy=policy,
        )
        case_id = result.case.id
    assert case_id is not None
    read = sweep_module._due_rows

    def read_then_contain(session: Session, now: datetime, batch_size: int) -> list[Deadline]:
        rows = read(session, now, batch_size)
        _step(engine, policy, case_id, "contain", now, containment="sorted in time")
        return rows

    monkeypatch.setattr(sweep_module, "_due_rows", read_then_contain)
    report = sweep(engine, now=T0 + 25 * H, policy=policy, batch_size=50, max_batches=1)
    assert report.escalations == 0 and report.actions == []
    assert _notices(engine, "escalation") == []


def test_a_rejected_submission_is_owed_again_and_reminded_before_it_is_due(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    _step(engine, policy, case_id, "contain", T0 + H, containment="sorted")
    _step(engine, policy, case_id, "find_root_cause", T0 + 2 * H, root_cause="die",
          escape_point="none", category="machine")
    _step(engine, policy, case_id, "reject", T0 + 3 * H, reason="not the real cause")
    due = T0 + H + 3 * D  # the root cause is owed 3 days after containment, as before
    assert _sweep(engine, policy, due - D - H).reminders == 0
    assert _sweep(engine, policy, due - D).reminders == 1


def test_a_deadline_owed_again_after_reject_gets_the_reminder_the_sweep_reports(
    engine: Engine, policy: DeadlinePolicy, case_id: int
) -> None:
    _step(engine, policy, case_id, "contain", T0 + H, containment="sorted")
    due = T0 + H + 3 * D  # the root cause, owed 3 days after containment
    assert _sweep(engine, policy, due - D).reminders == 1  # reminded once, as usual
    _step(engine, policy, case_id, "find_root_cause", due - D + H, root_cause="die",
          escape_point="none", category="machine")
    _step(engine, policy, case_id, "reject", due - D + 2 * H, reason="not the real cause")
    # Owed again, and its reminder moment has passed: the next sweep reminds it, for real.
    assert _sweep(engine, policy, due - D + 3 * H).reminders == 1
    reminders = [n for n in _notices(engine, "reminder") if "root cause" in n.subject.lower()]
    assert [n.created_at for n in reminders] == [due - D, due - D + 3 * H]
    assert _sweep(engine, policy, due - D + 4 * H).reminders == 0  # and only once
    assert len(_notices(engine, "reminder")) == len(reminders)
