"""The PDCA cycle: target at plan, result at check, standardise only what met its target."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from capaflow.casework.engine import StepResult, advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict
from capaflow.models import Deadline
from tests.conftest import T0
from tests.helpers import snapshot

D = timedelta(days=1)


def _open(session: Session, policy: DeadlinePolicy) -> int:
    result = open_case(
        session, lifecycle="pdca", title="Scrap below 1.5 %", supplier_code=None, part=None,
        defect_code=None, severity="major", complex_cause=False, owner="lena", team=None,
        problem="Scrap at 3.1 %", actor="lena", now=T0, policy=policy,
    )
    session.commit()
    assert result.case.id is not None
    return result.case.id


def _step(session: Session, policy: DeadlinePolicy, case_id: int, trigger: str, days: int,
          **fields: str) -> StepResult:
    result = advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                     actor="lena", now=T0 + days * D, policy=policy)
    session.commit()
    return result


def _turn(session: Session, policy: DeadlinePolicy, case_id: int, start: int, met: str) -> None:
    _step(session, policy, case_id, "execute", start, target="scrap < 1.5 %", plan="lubricate")
    _step(session, policy, case_id, "measure", start + 7, result="scrap 2.2 %")
    _step(session, policy, case_id, "evaluate", start + 8, met=met)


def test_pdca_starts_at_plan_with_a_plan_deadline(
    session: Session, policy: DeadlinePolicy
) -> None:
    case_id = _open(session, policy)
    deadline = session.exec(select(Deadline).where(Deadline.case_id == case_id)).one()
    assert (deadline.key, deadline.due_at) == ("plan", T0 + 14 * D)


def test_execute_needs_a_measurable_target_and_a_plan(
    session: Session, policy: DeadlinePolicy
) -> None:
    case_id = _open(session, policy)
    with pytest.raises(BadInput) as raised:
        _step(session, policy, case_id, "execute", 1, plan="lubricate")
    assert raised.value.field == "target"


def test_evaluate_takes_only_true_or_false(session: Session, policy: DeadlinePolicy) -> None:
    case_id = _open(session, policy)
    _step(session, policy, case_id, "execute", 1, target="t", plan="p")
    _step(session, policy, case_id, "measure", 2, result="r")
    with pytest.raises(BadInput, match="met"):
        _step(session, policy, case_id, "evaluate", 3, met="mostly")


def test_a_missed_target_cannot_be_standardised(
    session: Session, policy: DeadlinePolicy, db_url: str
) -> None:
    case_id = _open(session, policy)
    _turn(session, policy, case_id, 1, met="false")
    before = snapshot(db_url)
    with pytest.raises(Conflict, match="did not meet its target"):
        _step(session, policy, case_id, "standardize", 10, standard="new lube schedule")
    session.rollback()
    assert snapshot(db_url) == before


def test_next_cycle_goes_back_to_plan_with_the_cycle_number_plus_one(
    session: Session, policy: DeadlinePolicy
) -> None:
    case_id = _open(session, policy)
    _turn(session, policy, case_id, 1, met="false")
    result = _step(session, policy, case_id, "next_cycle", 10, reason="coil flatness next")
    assert (result.case.state, result.case.cycle) == ("plan", 2)
    assert [d.key for d in result.deadlines.met] == ["act"]
    assert [d.key for d in result.deadlines.started] == ["plan"]
    _turn(session, policy, case_id, 11, met="true")
    closed = _step(session, policy, case_id, "standardize", 20, standard="flatness check")
    assert closed.case.state == "closed"
    cycles = closed.case.content["cycles"]
    assert cycles["1"]["met"] is False and cycles["2"]["met"] is True
    assert cycles["2"]["standard"] == "flatness check"
