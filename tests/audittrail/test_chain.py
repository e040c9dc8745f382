"""Tampering with the audit trail is found, and the first bad event is named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from capaflow.audittrail.chain import event_hash, verify
from capaflow.casework.engine import advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import CaseEvent
from capaflow.models.db import session_scope
from tests.conftest import T0
from tests.helpers import capa


def _case_with_three_events(session: Session, policy: DeadlinePolicy) -> int:
    result = open_case(
        session, lifecycle="8d", title="Burr", supplier_code=None, part="P", defect_code="D",
        severity="major", complex_cause=False, owner="lena", team=None, problem=None,
        actor="lena", now=T0, policy=policy,
    )
    assert result.case.id is not None
    advance(session, case_id=result.case.id, trigger="contain",
            fields={"containment": "sorted"}, note=None, actor="lena", now=T0, policy=policy)
    advance(session, case_id=result.case.id, trigger="find_root_cause",
            fields={"root_cause": "die", "escape_point": "none", "category": "machine"},
            note="first look", actor="lena", now=T0, policy=policy)
    session.commit()
    return result.case.id


def test_an_untouched_trail_verifies(session: Session, policy: DeadlinePolicy) -> None:
    _case_with_three_events(session, policy)
    result = verify(session)
    assert result.ok and (result.cases, result.events) == (1, 3)


def test_an_edited_event_is_named_as_the_first_break(
    engine: Engine, session: Session, policy: DeadlinePolicy, db_url: str
) -> None:
    case_id = _case_with_three_events(session, policy)
    forged = json.dumps({"containment": "nothing needed"})
    with engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET fields = :f WHERE case_id = :c AND seq = 2"),
                     {"f": forged, "c": case_id})
    with session_scope(engine) as fresh:
        result = verify(fresh)
    assert not result.ok
    assert (result.breaks[0].seq, result.breaks[0].problem) == (
        2, "its content does not match its hash"
    )
    cli = capa("audit", "verify", "--json", "--db", db_url)
    assert cli.exit_code == 1
    assert json.loads(cli.stdout)["breaks"][0]["seq"] == 2


@pytest.mark.parametrize("seq", [2, 3])
def test_a_deleted_event_is_found(
    engine: Engine, session: Session, policy: DeadlinePolicy, seq: int
) -> None:
    case_id = _case_with_three_events(session, policy)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = :s"),
                     {"c": case_id, "s": seq})
    with session_scope(engine) as fresh:
        result = verify(fresh)
    assert not result.ok and result.breaks[0].seq == seq


def test_a_rehashed_edit_still_breaks_the_link_to_the_next_event(
    engine: Engine, session: Session, policy: DeadlinePolicy
) -> None:
    """A forger who recomputes the edited event's own hash still breaks the chain after it."""
    case_id = _case_with_three_events(session, policy)
    event = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case_id)
        .where(CaseEvent.seq == 2)
    ).one()
    fields = {"containment": "nothing needed"}
    session.expunge(event)
    event.fields = fields
    forged_hash = event_hash(event)
    with engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET fields = :f, hash = :h "
                          "WHERE case_id = :c AND seq = 2"),
                     {"f": json.dumps(fields), "h": forged_hash, "c": case_id})
    with session_scope(engine) as fresh:
        result = verify(fresh)
    assert not result.ok and result.breaks[0].seq == 3
    assert result.breaks[0].problem == "does not point at the event before it"
