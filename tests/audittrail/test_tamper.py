"""What `capa audit verify` catches beyond an edited event (issue 14, point 7): a supplier
decision's signature changed or removed, a decision deleted, a case's state written without
an event, and, against an anchor the operator kept, a deleted case and a trail cut off at its
end. Each is named, with exit 1."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from capaflow.accounts import add_user
from capaflow.accounts.signatures import LIFT_BLACKLIST, sign
from capaflow.accounts.tokens import user_principal
from capaflow.accounts.users import find_user
from capaflow.casework.engine import advance, open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import CaseEvent
from capaflow.models.db import alembic_config, get_engine, upgrade
from capaflow.scorecards.decisions import lift_blacklist
from capaflow.suppliers.registry import add_supplier, get_supplier
from tests.cli.support import refused
from tests.conftest import T0
from tests.helpers import capa

LATER = T0 + timedelta(hours=3)


def _verify(db_url: str, *extra: str) -> tuple[int, dict[str, Any]]:
    result = capa("audit", "verify", "--json", "--db", db_url, *extra)
    return result.exit_code, json.loads(result.stdout)


def _anchor(db_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "heads.json"
    result = capa("audit", "anchor", "--export", str(path), "--json", "--db", db_url)
    assert result.exit_code == 0, result.output
    return path


def _case(session: Session, policy: DeadlinePolicy, title: str = "Burr") -> int:
    opened = open_case(
        session, lifecycle="8d", title=title, supplier_code=None, part="P", defect_code="D",
        severity="major", complex_cause=False, owner="lena", team=None, problem=None,
        actor="lena", now=T0, policy=policy,
    )
    case_id = opened.case.id
    assert case_id is not None
    advance(session, case_id=case_id, trigger="contain", fields={"containment": "sorted"},
            note=None, actor="lena", now=T0, policy=policy)
    advance(session, case_id=case_id, trigger="find_root_cause",
            fields={"root_cause": "die", "escape_point": "none", "category": "machine"},
            note=None, actor="lena", now=T0, policy=policy)
    session.commit()
    return case_id


@pytest.fixture
def signed_lift(session: Session) -> int:
    """ACME blacklisted, then lifted by lena with her signature: the lift's decision id."""
    add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                 executive=None, now=T0)
    add_user(session, name="lena", role="quality_lead", password="lena-password-1", now=T0)
    acme = get_supplier(session, "ACME")
    acme.blacklisted_at, acme.blacklist_reason = T0, "grade E in 2026-02"
    session.add(acme)
    session.commit()
    user = find_user(session, "lena")
    assert user is not None
    signature = sign(session, principal=user_principal(session, user),
                     password="lena-password-1", meaning=LIFT_BLACKLIST, now=LATER)
    _, decision = lift_blacklist(session, code="ACME", reason="audit passed", actor="lena",
                                 now=LATER, signature=signature)
    session.commit()
    assert decision.id is not None
    return decision.id


def test_an_untouched_trail_with_a_signed_decision_verifies_also_against_its_anchor(
    session: Session, policy: DeadlinePolicy, signed_lift: int, db_url: str, tmp_path: Path
) -> None:
    _case(session, policy)
    code, document = _verify(db_url)
    assert (code, document["ok"], document["decisions"], document["cases"]) == (0, True, 1, 1)
    anchor = _anchor(db_url, tmp_path)
    code, document = _verify(db_url, "--anchor", str(anchor))
    assert (code, document["ok"]) == (0, True)
    assert document["anchor"] == json.loads(anchor.read_text())["at"]


def broken_supplier(document: dict[str, Any]) -> int:
    supplier_id: int = document["decision_breaks"][0]["supplier_id"]
    return supplier_id


@pytest.mark.parametrize(
    "forgery",
    [
        # Someone else's name on the signature.
        json.dumps({"signed_by": "max", "signed_at": "2026-03-02T12:00:00+00:00",
                    "meaning": LIFT_BLACKLIST, "method": "password re-entry"}),
        None,  # the signature removed: the lift looks like the operator's, unsigned
    ],
    ids=["edited", "removed"],
)
def test_a_changed_or_removed_decision_signature_is_named(
    engine: Engine, signed_lift: int, db_url: str, forgery: str | None
) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE supplier_decisions SET signature = :s WHERE id = :d"),
                     {"s": forgery, "d": signed_lift})
    code, document = _verify(db_url)
    assert (code, document["ok"]) == (1, False)
    assert document["decision_breaks"] == [
        {"supplier": "ACME", "supplier_id": broken_supplier(document), "seq": 1,
         "decision_id": signed_lift,
         "problem": "its content or signature does not match its hash"}
    ]
    human = capa("audit", "verify", "--db", db_url)
    assert human.exit_code == 1
    assert "supplier ACME: decision 1" in human.stdout


def test_a_deleted_decision_is_named(engine: Engine, signed_lift: int, db_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM supplier_decisions WHERE id = :d"), {"d": signed_lift})
    code, document = _verify(db_url)
    assert code == 1
    [broken] = document["decision_breaks"]
    assert (broken["supplier"], broken["seq"]) == ("ACME", 1)
    assert broken["problem"] == "the supplier records 1 decisions, the chain ends after 0"


def test_a_state_changed_without_an_event_is_named(
    engine: Engine, session: Session, policy: DeadlinePolicy, db_url: str
) -> None:
    case_id = _case(session, policy)
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = 'closed' WHERE id = :c"), {"c": case_id})
    code, document = _verify(db_url)
    assert code == 1
    [broken] = document["breaks"]
    assert (broken["case"], broken["seq"]) == (case_id, 3)
    assert broken["problem"] == (
        "the case is in state 'closed', its last event left it in 'short_term_fix': "
        "changed without an event"
    )


def test_a_deleted_case_is_named_against_the_anchor(
    engine: Engine, session: Session, policy: DeadlinePolicy, db_url: str, tmp_path: Path
) -> None:
    kept = _case(session, policy, "Kept")
    gone = _case(session, policy, "Deleted")
    anchor = _anchor(db_url, tmp_path)
    with engine.begin() as conn:
        # Every row that names the case, then the case: nothing of it is left.
        for table in ("notifications", "deadlines", "case_events"):
            conn.execute(text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": gone})
        conn.execute(text("DELETE FROM cases WHERE id = :c"), {"c": gone})
    code, document = _verify(db_url)
    assert code == 0  # the chains left are whole: only the anchor knows the case was there
    code, document = _verify(db_url, "--anchor", str(anchor))
    assert code == 1
    assert document["breaks"] == [
        {"case": gone, "seq": None, "event_id": None,
         "problem": "the case is gone: the anchor recorded it with 3 events"}
    ]
    assert kept != gone


def test_a_trail_cut_off_at_its_end_is_named_against_the_anchor(
    engine: Engine, session: Session, policy: DeadlinePolicy, db_url: str, tmp_path: Path
) -> None:
    case_id = _case(session, policy)
    anchor = _anchor(db_url, tmp_path)
    second = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq == 2)
    ).one()
    with engine.begin() as conn:
        # The last event deleted and the case set back to what the event before left: every
        # chain in the database is whole again.
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = 3"),
                     {"c": case_id})
        conn.execute(text("UPDATE cases SET head_hash = :h, event_count = 2, state = :s "
                          "WHERE id = :c"),
                     {"h": second.hash, "s": second.to_state, "c": case_id})
    assert _verify(db_url)[0] == 0
    code, document = _verify(db_url, "--anchor", str(anchor))
    assert code == 1
    assert document["breaks"] == [
        {"case": case_id, "seq": 3, "event_id": None,
         "problem": "the trail ends after 2 events, the anchor recorded 3: its end was cut off"}
    ]


def test_a_changed_anchor_file_is_refused_naming_the_field(
    session: Session, policy: DeadlinePolicy, db_url: str, tmp_path: Path
) -> None:
    _case(session, policy)
    anchor = _anchor(db_url, tmp_path)
    document = json.loads(anchor.read_text())
    document["cases"][0][1] = 2  # a forger lowers the count to hide a cut
    anchor.write_text(json.dumps(document))
    refused(db_url, "audit", "verify", "--anchor", str(anchor), exit_code=2, field="anchor",
            says=["digest does not match"])
    refused(db_url, "audit", "verify", "--anchor", str(tmp_path / "none.json"), exit_code=2,
            field="anchor")


def test_upgrading_chains_the_decisions_already_recorded(db_url: str) -> None:
    """0012 → head: decisions recorded before the chain existed are chained in the order they
    were written, so they verify; editing one afterwards is caught like any other."""
    command.downgrade(alembic_config(db_url), "0012")
    engine = get_engine(db_url)
    at = "'2026-02-10 09:00:00'"
    signature = json.dumps({"signed_by": "lena", "signed_at": "2026-02-11T09:00:00+00:00",
                            "meaning": LIFT_BLACKLIST, "method": "password re-entry"})
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO suppliers (code, name, created_at) VALUES ('ACME', 'Acme', {at})")
        conn.exec_driver_sql(
            "INSERT INTO supplier_decisions (supplier_id, decision, reason, actor, at) "
            f"VALUES (1, 'blacklisted', 'grade E', 'capaflow', {at})")
        conn.execute(
            text("INSERT INTO supplier_decisions (supplier_id, decision, reason, actor, at, "
                 "signature) VALUES (1, 'blacklist_lifted', 'audit passed', 'lena', "
                 f"{at}, :s)"), {"s": signature})
    upgrade(db_url)
    code, document = _verify(db_url)
    assert (code, document["decisions"]) == (0, 2)
    with engine.begin() as conn:
        conn.execute(text("UPDATE supplier_decisions SET reason = 'no reason' WHERE seq = 2"))
    code, document = _verify(db_url)
    assert code == 1 and document["decision_breaks"][0]["seq"] == 2
