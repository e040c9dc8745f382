"""A lot rejected on 100 % inspection (the containment hold) is a lot not accepted on
original inspection (ISO 2859-1 9.3.1, 9.4): it moves the switching state like a sampled one.
Before, every held lot left the state alone, so a part whose last 20 lots were all rejected
still read "normal, 1 of the last 5 not accepted". A held lot accepted stays neutral: 100 %
inspection says nothing about the sampling plan's switching score."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import Conflict
from capaflow.models import SwitchingState
from tests.inspection.support import LOT_SIZE, PART, Lots, add_acme


@pytest.fixture
def lots(session: Session, policy: DeadlinePolicy) -> Lots:
    add_acme(session)
    return Lots(session, policy)


def _state(session: Session) -> SwitchingState:
    return session.exec(select(SwitchingState).where(SwitchingState.part == PART)).one()


def test_a_rejected_held_lot_is_the_second_rejection_that_switches_normal_to_tightened(
    session: Session, lots: Lots
) -> None:
    lots.reject()  # on normal: the part goes on 100 % for its next lots
    held = lots.record(defects=1, sampled=LOT_SIZE)
    assert held.plan.severity == "100%" and not held.accepted
    assert [(s.from_severity, s.to_severity) for s in held.switches] == [("normal", "tightened")]
    assert _state(session).severity == "tightened"


def test_rejected_held_lots_count_to_discontinuation_on_tightened(
    session: Session, lots: Lots
) -> None:
    lots.reject()
    for _ in range(6):  # the 2nd switches to tightened, 5 more on tightened discontinue
        lots.record(defects=1, sampled=LOT_SIZE)
    assert _state(session).severity == "stopped"
    with pytest.raises(Conflict):
        lots.record(defects=0, sampled=LOT_SIZE)


def test_an_accepted_held_lot_leaves_the_switching_state_as_it_was(
    session: Session, lots: Lots
) -> None:
    lots.reject()
    before = _state(session)
    recent, score = list(before.recent), before.switching_score
    accepted = lots.record(defects=0, sampled=LOT_SIZE)
    assert accepted.step is None
    assert (_state(session).recent, _state(session).switching_score) == (recent, score)
