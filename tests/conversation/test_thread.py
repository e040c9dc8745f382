"""The conversation on a case (docs/architecture.md, "The supplier conversation"): who may
read and write which comments, each comment in the case's hash-chained trail and told to the
other side; every refusal names its field and writes nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.audittrail.chain import verify
from capaflow.conversation import MAX_BODY, NotPermitted, post_comment, read_thread
from capaflow.errors import BadInput, NotFound
from capaflow.models import CaseComment, CaseEvent, Notification
from tests.conftest import T0
from tests.helpers import snapshot
from tests.submissions.conftest import LEAD, VIEWER, Desk

LATER = T0 + timedelta(hours=1)


def _post(desk: Desk, who: Principal, code: str = "ACME", body: str | None = "A question",
          *, internal: bool = False) -> CaseComment:
    return desk.run(lambda s: post_comment(
        s, principal=who, case_id=desk.cases[code], body=body, internal=internal, now=LATER,
        policy=desk.policy,
    ).comment)


def _read(desk: Desk, who: Principal, code: str = "ACME") -> list[str]:
    return desk.run(lambda s: [c.body for c in read_thread(s, principal=who,
                                                             case_id=desk.cases[code])])


def _notices(session: Session) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.kind == "comment")
                             .order_by(col(Notification.id))))


def test_lead_and_supplier_talk_and_an_internal_note_stays_with_the_quality_team(
    desk: Desk,
) -> None:
    acme = desk.suppliers["ACME"]
    _post(desk, LEAD, body="How many parts are in transit?")
    _post(desk, LEAD, body="They were late last time too.", internal=True)
    reply = _post(desk, acme, body="About 400 pieces; sorting them tomorrow.")
    assert reply.author == "supplier:ACME" and reply.author_kind == "supplier"
    assert not reply.internal

    assert _read(desk, acme) == ["How many parts are in transit?",
                                 "About 400 pieces; sorting them tomorrow."]
    assert _read(desk, LEAD) == _read(desk, VIEWER) == [
        "How many parts are in transit?", "They were late last time too.",
        "About 400 pieces; sorting them tomorrow."]

    notices = desk.run(_notices)
    # the shared question to the supplier's contact, the reply to the case owner; the
    # internal note to nobody
    assert [n.audience for n in notices] == [["supplier_contact"], ["owner"]]
    assert "How many parts are in transit?" in notices[0].body
    assert "About 400 pieces" in notices[1].body
    assert not any("late last time" in n.body for n in notices)


def test_each_comment_is_an_event_of_the_case_trail_without_the_text_of_an_internal_note(
    desk: Desk,
) -> None:
    note = _post(desk, LEAD, body="Escalate if no answer by Friday.", internal=True)

    def events(session: Session) -> list[CaseEvent]:
        return list(session.exec(select(CaseEvent).where(
            CaseEvent.case_id == desk.cases["ACME"]).order_by(col(CaseEvent.seq))))

    last = desk.run(events)[-1]
    assert last.action == "comment" and last.actor == "lead"
    assert last.fields == {
        "comment": note.id, "author_kind": "lead", "internal": True,
        "body_sha256": hashlib.sha256(b"Escalate if no answer by Friday.").hexdigest(),
    }
    assert "Friday" not in str(last.fields) and last.note is None
    assert desk.run(lambda s: verify(s)).ok


def test_a_supplier_never_reads_or_writes_another_suppliers_thread(desk: Desk) -> None:
    _post(desk, LEAD, "BETA", body="BETA's question")
    acme = desk.suppliers["ACME"]
    before = snapshot(desk.url)
    with pytest.raises(NotFound):
        _read(desk, acme, "BETA")
    with pytest.raises(NotFound):
        _post(desk, acme, "BETA", body="ACME writing on BETA's case")
    assert snapshot(desk.url) == before


def test_a_viewer_reads_but_cannot_post_and_nothing_is_written(desk: Desk) -> None:
    before = snapshot(desk.url)
    with pytest.raises(NotPermitted):
        _post(desk, VIEWER, body="a viewer's word")
    assert snapshot(desk.url) == before


@pytest.mark.parametrize(("body", "says"), [
    (None, "must not be empty"),
    ("", "must not be empty"),
    ("   \n\t ", "must not be empty"),
    ("x" * (MAX_BODY + 1), f"at most {MAX_BODY} characters"),
    ("nul\x00inside", "body"),
])
def test_an_empty_blank_or_too_long_body_is_refused_naming_body_and_nothing_is_written(
    desk: Desk, body: str | None, says: str,
) -> None:
    before = snapshot(desk.url)
    with pytest.raises(BadInput) as refused:
        _post(desk, LEAD, body=body)
    assert refused.value.field == "body" and says in refused.value.message
    assert snapshot(desk.url) == before


def test_a_supplier_cannot_post_an_internal_note_and_nothing_is_written(desk: Desk) -> None:
    before = snapshot(desk.url)
    with pytest.raises(BadInput) as refused:
        _post(desk, desk.suppliers["ACME"], body="psst", internal=True)
    assert refused.value.field == "internal"
    assert snapshot(desk.url) == before


def test_a_body_of_the_full_length_is_kept_whole(desk: Desk) -> None:
    text = "y" * MAX_BODY
    assert _post(desk, LEAD, body=f"  {text}\n").body == text
