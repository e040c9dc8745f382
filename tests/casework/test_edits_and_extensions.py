"""Changes after opening: signed, audited edits of an open case, and more time on an
obligation asked by the supplier and decided by the lead (docs/architecture.md, "Edits and
extensions")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.accounts.signatures import APPROVE_EXTENSION, EDIT_CASE
from capaflow.accounts.tokens import Principal, user_principal
from capaflow.accounts.users import add_user, get_user
from capaflow.audittrail.chain import verify
from capaflow.casework.edits import edit_case
from capaflow.casework.engine import advance, open_case
from capaflow.casework.extensions import (
    decide_extension,
    extend_directly,
    list_extensions,
    request_extension,
)
from capaflow.casework.sweep import sweep
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import CaseEvent, Deadline, Notification
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0
from tests.helpers import snapshot

D = timedelta(days=1)
PASSWORD = "lead-password-1"


@pytest.fixture
def world(session: Session, policy: DeadlinePolicy,
          fast_password_hashing: None) -> tuple[int, Principal, Principal]:
    """An 8D case of ACME with its root cause found at T0 + 1 day (the countermeasure owed in
    7 days), the lead lena, and ACME's own account."""
    add_supplier(session, code="ACME", name="Acme Castings", contact="json://127.0.0.1:9/a",
                 quality_head=None, executive="json://127.0.0.1:9/x", now=T0)
    lead = add_user(session, name="lena", role="quality_lead", password=PASSWORD, now=T0)
    add_user(session, name="marco", role="quality_manager", password=PASSWORD, now=T0)
    add_user(session, name="vera", role="viewer", password=PASSWORD, now=T0)
    acme = add_user(session, name="sam", role="supplier", password=PASSWORD, now=T0,
                    supplier_code="ACME")
    case_id = open_case(
        session, lifecycle="8d", title="Cracked housing", supplier_code="ACME", part="BRK-1",
        defect_code="CRACK", severity="major", complex_cause=False, owner="lena", team=None,
        problem=None, actor="lena", now=T0, policy=policy,
    ).case.id
    assert case_id is not None
    for trigger, fields in (("contain", {"containment": "Sorted"}),
                            ("find_root_cause", {"root_cause": "Die worn", "escape_point": "X",
                                                 "category": "machine"}),
                            ("apply_short_term_fix", {"short_term_fix": "Deburr"})):
        advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                actor="lena", now=T0 + D, policy=policy)
    session.commit()
    return case_id, user_principal(session, lead), user_principal(session, acme)


def _countermeasure(session: Session, case_id: int) -> Deadline:
    found = session.exec(select(Deadline).where(Deadline.case_id == case_id)
                         .where(Deadline.key == "long_term_countermeasure")).one()
    session.refresh(found)
    return found


def _last(session: Session, case_id: int) -> CaseEvent:
    found = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                         .order_by(col(CaseEvent.seq).desc())).first()
    assert found is not None
    return found


def test_complexity_edit_moves_the_countermeasure_due_from_7_to_10_days_in_one_signed_event(
    session: Session, policy: DeadlinePolicy, engine: Engine,
    world: tuple[int, Principal, Principal],
) -> None:
    case_id, lead, _ = world
    assert _countermeasure(session, case_id).due_at == T0 + 8 * D
    edit_case(session, principal=lead, case_id=case_id,
              changes={"complexity": "complex", "owner": "marco", "part": "BRK-2"},
              reason="Die and material both involved", password=PASSWORD, now=T0 + 2 * D,
              policy=policy)
    session.commit()
    assert _countermeasure(session, case_id).due_at == T0 + 11 * D
    event = _last(session, case_id)
    assert event.action == "edited" and event.actor == "lena"
    assert event.fields["changes"] == {"owner": {"old": "lena", "new": "marco"},
                                       "part": {"old": "BRK-1", "new": "BRK-2"},
                                       "complexity": {"old": "general", "new": "complex"}}
    moved = event.fields["deadlines_moved"][0]
    assert moved["key"] == "long_term_countermeasure"
    assert moved["old_due"].startswith((T0 + 8 * D).date().isoformat())
    assert moved["new_due"].startswith((T0 + 11 * D).date().isoformat())
    assert event.fields["signature"]["meaning"] == EDIT_CASE
    assert verify(session).ok
    notice = session.exec(select(Notification).where(Notification.kind == "case_edited")).one()
    assert "complexity: general → complex" in notice.body


@pytest.mark.parametrize("changes,reason,password,error,field", [
    ({"owner": "vera"}, "r", PASSWORD, BadInput, "owner"),          # a viewer owns nothing
    ({"owner": "nobody"}, "r", PASSWORD, BadInput, "owner"),
    ({"severity": "huge"}, "r", PASSWORD, BadInput, "severity"),
    ({"complexity": "simple"}, "r", PASSWORD, BadInput, "complexity"),
    ({"part": "BRK-1"}, "r", PASSWORD, BadInput, "changes"),        # no change at all
    ({"title": "x"}, "r", PASSWORD, BadInput, "title"),
    ({"severity": "minor"}, "", PASSWORD, BadInput, "reason"),
    ({"severity": "minor"}, "r", "wrong password", BadInput, "password"),
])
def test_a_refused_edit_names_the_field_and_writes_nothing(
    session: Session, policy: DeadlinePolicy, db_url: str,
    world: tuple[int, Principal, Principal], changes: dict[str, str], reason: str,
    password: str, error: type[Exception], field: str,
) -> None:
    case_id, lead, _ = world
    before = snapshot(db_url)
    with pytest.raises(error) as refused:
        edit_case(session, principal=lead, case_id=case_id, changes=changes, reason=reason,
                  password=password, now=T0 + 2 * D, policy=policy)
    session.rollback()
    assert refused.value.field == field  # type: ignore[attr-defined]
    after = snapshot(db_url)
    # The wrong password is counted (accounts.throttle), in a row of its own; nothing else.
    after.pop("password_throttles", None), before.pop("password_throttles", None)
    assert after == before


def test_a_cancelled_case_is_not_edited_nor_extended(
    session: Session, policy: DeadlinePolicy, world: tuple[int, Principal, Principal],
) -> None:
    case_id, lead, acme = world
    advance(session, case_id=case_id, trigger="cancel", fields={"reason": "dup"}, note=None,
            actor="lena", now=T0 + 2 * D, policy=policy)
    session.commit()
    with pytest.raises(Conflict) as refused:
        edit_case(session, principal=lead, case_id=case_id, changes={"severity": "minor"},
                  reason="r", password=PASSWORD, now=T0 + 3 * D, policy=policy)
    assert refused.value.field == "state"
    with pytest.raises(Conflict):
        request_extension(session, principal=acme, case_id=case_id,
                          step="long_term_countermeasure", until=T0 + 12 * D, reason="r",
                          now=T0 + 3 * D, policy=policy)


def test_approved_extension_moves_the_due_and_the_ladder_starts_again_for_it(
    session: Session, policy: DeadlinePolicy, engine: Engine,
    world: tuple[int, Principal, Principal],
) -> None:
    case_id, lead, acme = world
    # Overdue: the sweep escalates level 1 on the old due time.
    sweep(engine, now=T0 + 9 * D, policy=policy)
    assert _countermeasure(session, case_id).escalation_level >= 1
    asked = request_extension(session, principal=acme, case_id=case_id,
                              step="long_term_countermeasure", until=T0 + 20 * D,
                              reason="Tooling arrives on the 18th", now=T0 + 9 * D,
                              policy=policy)
    session.commit()
    with pytest.raises(Conflict) as twice:
        request_extension(session, principal=acme, case_id=case_id,
                          step="long_term_countermeasure", until=T0 + 21 * D, reason="again",
                          now=T0 + 9 * D, policy=policy)
    assert twice.value.field == "step"
    session.rollback()
    assert [e.id for e in list_extensions(session, status="open")] == [asked.extension.id]
    assert asked.extension.id is not None
    decide_extension(session, principal=lead, extension_id=asked.extension.id, approve=True,
                     reason="Plausible plan", password=PASSWORD, now=T0 + 10 * D,
                     policy=policy)
    session.commit()
    deadline = _countermeasure(session, case_id)
    assert deadline.due_at == T0 + 20 * D and deadline.escalation_level == 0
    assert deadline.next_action_at is not None and deadline.next_action_at > T0 + 10 * D
    event = _last(session, case_id)
    assert event.action == "extension_approved"
    assert event.fields["signature"]["meaning"] == APPROVE_EXTENSION
    told = session.exec(select(Notification).where(Notification.kind == "extension_approved")
                        ).one()
    assert "supplier_contact" in told.audience
    # Nothing escalates during the time granted; overdue again, the ladder climbs anew.
    quiet = sweep(engine, now=T0 + 19 * D, policy=policy)
    assert quiet.escalations == 0
    again = sweep(engine, now=T0 + 21 * D, policy=policy)
    assert again.escalations == 1
    assert verify(session).ok
    with pytest.raises(Conflict):
        decide_extension(session, principal=lead, extension_id=asked.extension.id,
                         approve=False, reason="x", password=PASSWORD, now=T0 + 11 * D,
                         policy=policy)


def test_refused_extension_leaves_the_due_and_bad_dates_are_refused(
    session: Session, policy: DeadlinePolicy, world: tuple[int, Principal, Principal],
) -> None:
    case_id, lead, acme = world
    for until in (T0 + 8 * D, T0 + 8 * D + 61 * D):
        with pytest.raises(BadInput) as bad:
            request_extension(session, principal=acme, case_id=case_id,
                              step="long_term_countermeasure", until=until, reason="r",
                              now=T0 + 2 * D, policy=policy)
        assert bad.value.field == "until"
    with pytest.raises(NotFound) as missing:
        request_extension(session, principal=acme, case_id=case_id, step="containment",
                          until=T0 + 12 * D, reason="r", now=T0 + 2 * D, policy=policy)
    assert missing.value.field == "step"
    asked = request_extension(session, principal=acme, case_id=case_id,
                              step="long_term_countermeasure", until=T0 + 12 * D, reason="r",
                              now=T0 + 2 * D, policy=policy)
    assert asked.extension.id is not None
    decide_extension(session, principal=lead, extension_id=asked.extension.id, approve=False,
                     reason="Seven days is enough", password=PASSWORD, now=T0 + 3 * D,
                     policy=policy)
    session.commit()
    assert _countermeasure(session, case_id).due_at == T0 + 8 * D
    assert _last(session, case_id).action == "extension_refused"


def test_the_lead_extends_directly_as_a_signed_decision(
    session: Session, policy: DeadlinePolicy, world: tuple[int, Principal, Principal],
) -> None:
    case_id, lead, acme = world
    with pytest.raises(BadInput) as unsigned:
        extend_directly(session, principal=lead, case_id=case_id,
                        step="long_term_countermeasure", until=T0 + 12 * D, reason="r",
                        password="", now=T0 + 2 * D, policy=policy)
    assert unsigned.value.field == "password"
    session.rollback()
    extend_directly(session, principal=lead, case_id=case_id, step="long_term_countermeasure",
                    until=T0 + 12 * D, reason="Holiday shutdown", password=PASSWORD,
                    now=T0 + 2 * D, policy=policy)
    session.commit()
    assert _countermeasure(session, case_id).due_at == T0 + 12 * D
    assert [e.status for e in list_extensions(session, case_id=case_id)] == ["granted"]
    assert get_user(session, "lena").name == _last(session, case_id).actor
