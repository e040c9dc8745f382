"""Steps into a final state are signed decisions: the signature is recorded in the event, the
hash chain covers it, and a caller acting for a person cannot take such a step unsigned."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.accounts.signatures import CANCEL_CASE, CLOSE_CASE, METHOD, STANDARDIZE_CYCLE
from capaflow.audittrail.chain import verify
from capaflow.calendars import isoformat
from capaflow.casework.engine import advance, needs_signature, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput
from capaflow.models import Case, CaseEvent
from capaflow.models.db import session_scope
from capaflow.statemachines import LIFECYCLES
from tests.conftest import T0
from tests.helpers import capa, snapshot

D = timedelta(days=1)


def _signature(meaning: str, by: str = "lena", at: Any = T0) -> dict[str, str]:
    return {"signed_by": by, "signed_at": isoformat(at), "meaning": meaning, "method": METHOD}


def _open(session: Session, policy: DeadlinePolicy, lifecycle: str = "8d") -> int:
    result = open_case(
        session, lifecycle=lifecycle, title="Burr on bracket", supplier_code=None, part="BRK-1",
        defect_code="BURR", severity="major", complex_cause=False, owner="lena", team=None,
        problem="Sharp burr", actor="lena", now=T0, policy=policy,
    )
    session.commit()
    assert result.case.id is not None
    return result.case.id


def _step(session: Session, policy: DeadlinePolicy, case_id: int, trigger: str, at: Any,
          fields: dict[str, str], **extra: Any) -> CaseEvent:
    result = advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                     actor="lena", now=at, policy=policy, **extra)
    session.commit()
    return result.event


def _last_event(session: Session, case_id: int) -> CaseEvent:
    found = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                         .order_by(col(CaseEvent.seq).desc())).first()
    assert found is not None
    return found


def test_which_steps_need_a_signature_follows_the_final_states() -> None:
    for lifecycle in LIFECYCLES.values():
        for step in lifecycle.steps:
            assert needs_signature(lifecycle, step.source, step.trigger) == (
                step.dest in lifecycle.final
            ), (lifecycle.name, step)
    eight_d, pdca = LIFECYCLES["8d"], LIFECYCLES["pdca"]
    assert needs_signature(eight_d, "effectiveness_tracking", "close")
    assert needs_signature(eight_d, "root_cause", "cancel")
    assert not needs_signature(eight_d, "effectiveness_tracking", "reopen")
    assert not needs_signature(eight_d, "containment", "contain")
    assert needs_signature(pdca, "act", "standardize")
    assert not needs_signature(pdca, "act", "next_cycle")
    assert needs_signature(LIFECYCLES["cause_report"], "submitted", "accept")
    assert needs_signature(LIFECYCLES["audit"], "findings_open", "close")


def test_a_signed_cancel_records_the_signature_in_the_event_and_the_chain_covers_it(
    session: Session, policy: DeadlinePolicy, engine: Engine, db_url: str
) -> None:
    case_id = _open(session, policy)
    signature = _signature(CANCEL_CASE, at=T0 + D)
    event = _step(session, policy, case_id, "cancel", T0 + D, {"reason": "duplicate of #7"},
                  signature=signature, require_signature=True)
    stored = _last_event(session, case_id)
    assert stored.seq == event.seq and stored.action == "cancel"
    assert stored.fields == {"reason": "duplicate of #7", "signature": signature}
    # The decision's signature is not 8D content.
    assert "signature" not in session.get(Case, case_id).content  # type: ignore[union-attr]
    assert verify(session, case_id=case_id).ok
    assert capa("audit", "verify", "--db", db_url).exit_code == 0

    # Rewriting who signed (or what it meant) is found by the chain.
    forged = dict(stored.fields, signature={**signature, "signed_by": "max"})
    with engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET fields = :f WHERE case_id = :c AND seq = :s"),
                     {"f": json.dumps(forged), "c": case_id, "s": stored.seq})
    with session_scope(engine) as fresh:
        result = verify(fresh, case_id=case_id)
    assert not result.ok
    assert result.breaks[0].seq == stored.seq
    assert capa("audit", "verify", "--db", db_url).exit_code == 1


def test_a_person_closing_an_8d_case_signs_it(session: Session, policy: DeadlinePolicy) -> None:
    case_id = _open(session, policy)
    for trigger, fields in (
        ("contain", {"containment": "sorted stock"}),
        ("find_root_cause", {"root_cause": "worn die", "escape_point": "no burr check",
                             "category": "machine"}),
        ("apply_short_term_fix", {"short_term_fix": "deburr by hand"}),
        ("implement_countermeasure", {"countermeasure": "new die"}),
    ):
        _step(session, policy, case_id, trigger, T0 + D, fields)
    after_window = T0 + timedelta(days=200)
    signature = _signature(CLOSE_CASE, at=after_window)
    _step(session, policy, case_id, "close", after_window, {"lessons": "check dies monthly"},
          signature=signature, require_signature=True)
    case = session.get(Case, case_id)
    assert case is not None and case.state == "closed"
    assert _last_event(session, case_id).fields["signature"] == signature
    assert verify(session, case_id=case_id).ok


def test_standardising_a_pdca_cycle_is_signed(session: Session, policy: DeadlinePolicy) -> None:
    case_id = _open(session, policy, "pdca")
    for trigger, fields in (("execute", {"target": "scrap < 1 %", "plan": "new jig"}),
                            ("measure", {"result": "0.6 %"}), ("evaluate", {"met": "true"})):
        _step(session, policy, case_id, trigger, T0 + D, fields)
    signature = _signature(STANDARDIZE_CYCLE, at=T0 + 2 * D)
    _step(session, policy, case_id, "standardize", T0 + 2 * D, {"standard": "jig in WI-12"},
          signature=signature, require_signature=True)
    assert _last_event(session, case_id).fields["signature"] == signature


def test_a_step_into_a_final_state_without_a_signature_is_refused_when_required(
    session: Session, policy: DeadlinePolicy, db_url: str
) -> None:
    case_id = _open(session, policy)
    before = snapshot(db_url)
    with pytest.raises(BadInput) as refused:
        _step(session, policy, case_id, "cancel", T0 + D, {"reason": "duplicate"},
              require_signature=True)
    session.rollback()
    assert refused.value.field == "signature"
    assert snapshot(db_url) == before


def test_the_system_and_the_cli_take_final_steps_unsigned(
    session: Session, policy: DeadlinePolicy
) -> None:
    # require_signature defaults to False: the sweep's timed close and the CLI (the operator).
    case_id = _open(session, policy)
    event = _step(session, policy, case_id, "cancel", T0 + D, {"reason": "duplicate"})
    assert "signature" not in event.fields


@pytest.mark.parametrize(
    ("trigger", "fields", "signature"),
    [
        # A step that is no decision carries no signature.
        ("contain", {"containment": "sorted"}, _signature(CLOSE_CASE)),
        # Signed by someone other than who takes the step.
        ("cancel", {"reason": "duplicate"}, _signature(CANCEL_CASE, by="max")),
        # Signed for another decision.
        ("cancel", {"reason": "duplicate"}, _signature(CLOSE_CASE)),
        # Not a signature at all.
        ("cancel", {"reason": "duplicate"}, {"signed_by": "lena"}),
    ],
)
def test_a_signature_that_does_not_fit_the_step_is_refused(
    session: Session, policy: DeadlinePolicy, db_url: str, trigger: str,
    fields: dict[str, str], signature: dict[str, str],
) -> None:
    case_id = _open(session, policy)
    before = snapshot(db_url)
    with pytest.raises(BadInput) as refused:
        _step(session, policy, case_id, trigger, T0 + D, fields, signature=signature,
              require_signature=True)
    session.rollback()
    assert refused.value.field == "signature"
    assert snapshot(db_url) == before


def test_a_signature_cannot_be_smuggled_in_as_a_field(
    session: Session, policy: DeadlinePolicy
) -> None:
    case_id = _open(session, policy)
    with pytest.raises(BadInput) as refused:
        _step(session, policy, case_id, "cancel", T0 + D,
              {"reason": "duplicate", "signature": "lena"})
    assert refused.value.field == "signature"
