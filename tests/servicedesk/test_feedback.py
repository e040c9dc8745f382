"""From feedback to improvement (docs/architecture.md, "Service desk"): low scores and claims
open one linked corrective action, repeated complaints one PDCA cycle per category and month,
low dimensions a training item the sweep chases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from capaflow.casework.sweep import sweep
from capaflow.config import load_policies
from capaflow.config.policies import as_policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import Conflict, NotFound
from capaflow.models import (
    Case,
    CaseEvent,
    Deadline,
    Notification,
    ServiceRequest,
    TrainingItem,
)
from capaflow.models.db import session_scope
from capaflow.servicedesk.feedback import count_complaint, mark_training_done, training_of
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.policy import ServiceDesk, load_desk
from capaflow.servicedesk.register import add_customer, add_person
from capaflow.servicedesk.requests import advance_request, open_request
from tests.conftest import T0

H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.fixture(scope="module")
def desk() -> ServiceDesk:
    return load_desk(as_policies(load_policies()))


@pytest.fixture
def desk_db(engine: Engine, desk: ServiceDesk) -> Engine:
    """A key customer (every resolved request is followed up), a standard one, and a field
    technician and an office clerk to take their requests."""
    with session_scope(engine) as session:
        add_customer(session, desk=desk, code="HOTEL", name="Grand Hotel", tier="key",
                     contact=None, now=T0)
        add_customer(session, desk=desk, code="SHOP", name="Corner Shop", tier="standard",
                     contact=None, now=T0)
        add_person(session, name="Ann", team="field", skills="repair", lead=False, now=T0)
        add_person(session, name="Olga", team="office", skills=None, lead=False, now=T0)
    return engine


def _open(engine: Engine, desk: ServiceDesk, policy: DeadlinePolicy, *, kind: str = "request",
          category: str = "repair", customer: str = "HOTEL", at: datetime = T0,
          title: str = "Boiler makes a noise") -> int:
    with session_scope(engine) as session:
        opened = open_request(
            session, desk=desk, policy=policy, customer=customer, kind=kind, severity="S3",
            category=category, channel="phone", title=title, description=None,
            assignee=None, actor="desk", now=at)
        assert opened.case.id is not None
        return opened.case.id


def _resolve(engine: Engine, desk: ServiceDesk, policy: DeadlinePolicy, case_id: int,
             at: datetime) -> None:
    with session_scope(engine) as session:
        advance_request(session, desk=desk, policy=policy, case_id=case_id, trigger="resolve",
                        fields={"resolution": "fixed"}, note=None, actor="Ann", now=at)


def _answer(engine: Engine, desk: ServiceDesk, policy: DeadlinePolicy, case_id: int,
            answer: Answer, at: datetime) -> None:
    with session_scope(engine) as session:
        record_follow_up(session, desk=desk, policy=policy, case_id=case_id, answer=answer,
                         channel="phone", by="Mia", actor="Mia", now=at)


def _request(session: Session, case_id: int) -> ServiceRequest:
    found = session.get(ServiceRequest, case_id)
    assert found is not None
    return found


def _events(session: Session, case_id: int, action: str) -> list[CaseEvent]:
    return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                             .where(CaseEvent.action == action).order_by(col(CaseEvent.seq))))


def _count(session: Session, lifecycle: str) -> int:
    return int(session.exec(select(func.count()).select_from(Case)
                            .where(Case.lifecycle == lifecycle)).one())


LOW_OVERALL = Answer(solved=False, overall=1, nps=2, comment="Nobody called back")


def test_a_low_overall_score_opens_one_8d_without_supplier_linked_and_owned(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    request_id = _open(desk_db, desk, policy)
    _resolve(desk_db, desk, policy, request_id, T0 + H)
    _answer(desk_db, desk, policy, request_id, LOW_OVERALL, T0 + 2 * H)

    corrective_id = _request(session, request_id).corrective_case_id
    assert corrective_id is not None
    action = session.get(Case, corrective_id)
    assert action is not None
    assert (action.lifecycle, action.supplier_id, action.owner) == ("8d", None, "service_manager")
    assert action.linked_case_id == request_id
    problem = action.content["problem"]
    for named in (f"#{request_id}", "HOTEL", "Grand Hotel", "overall 1/5", "NPS 2/10",
                  "Nobody called back", "handled by Ann"):
        assert named in problem, (named, problem)
    # The request's trail says which action it opened and why, hash-chained like any step.
    [said] = _events(session, request_id, "corrective_action")
    assert said.fields["corrective_case"] == corrective_id
    assert said.fields["opened"] is True
    assert "low score" in said.fields["reason"] and "overall 1" in said.fields["reason"]
    # Management is told.
    told = session.exec(select(Notification).where(
        Notification.dedupe_key == f"service:{request_id}:corrective_action")).one()
    assert told.case_id == corrective_id
    assert "management" in told.audience and "service_manager" in told.audience


def test_a_second_low_score_on_the_reopened_request_joins_the_same_action(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    request_id = _open(desk_db, desk, policy)
    _resolve(desk_db, desk, policy, request_id, T0 + H)
    _answer(desk_db, desk, policy, request_id, LOW_OVERALL, T0 + 2 * H)  # reopens it
    first = _request(session, request_id).corrective_case_id
    _resolve(desk_db, desk, policy, request_id, T0 + 3 * H)
    _answer(desk_db, desk, policy, request_id,
            Answer(solved=True, overall=2, comment="Still slow"), T0 + 4 * H)
    session.expire_all()

    assert _request(session, request_id).corrective_case_id == first
    assert _count(session, "8d") == 1
    opened, joined = _events(session, request_id, "corrective_action")
    assert (opened.fields["opened"], joined.fields["opened"]) == (True, False)
    assert joined.fields["corrective_case"] == first
    assert first is not None
    [later] = _events(session, first, "feedback")
    assert later.fields["request"] == request_id and "overall 2" in later.fields["reason"]


def test_a_good_score_opens_nothing(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    request_id = _open(desk_db, desk, policy)
    _resolve(desk_db, desk, policy, request_id, T0 + H)
    _answer(desk_db, desk, policy, request_id,
            Answer(solved=True, overall=3, dimensions={"empathy": 3}), T0 + 2 * H)
    assert _request(session, request_id).corrective_case_id is None
    assert _count(session, "8d") == 0
    assert session.exec(select(TrainingItem)).all() == []


def _training_deadline(session: Session, item: TrainingItem) -> Deadline:
    return session.exec(select(Deadline).where(Deadline.key == f"training:{item.id}")).one()


def test_a_low_dimension_gives_the_handler_a_training_item_the_sweep_reminds(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    request_id = _open(desk_db, desk, policy)
    _resolve(desk_db, desk, policy, request_id, T0 + H)
    _answer(desk_db, desk, policy, request_id,
            Answer(solved=True, overall=4, dimensions={"empathy": 2, "reliability": 5}),
            T0 + 2 * H)

    [item] = training_of(session, "Ann")
    assert (item.dimension, item.case_id) == ("empathy", request_id)
    assert item.due_at == T0 + 2 * H + 14 * D  # [service.feedback] training_due
    corrective_id = _request(session, request_id).corrective_case_id
    deadline = _training_deadline(session, item)
    assert deadline.case_id == corrective_id and deadline.status == "pending"

    # The 8D reminder rule for a 14-day obligation: one day before it is due.
    report = sweep(desk_db, now=item.due_at - D, policy=policy)
    [reminded] = [a for a in report.actions if a.get("training") == item.id]
    assert (reminded["action"], reminded["person"]) == ("reminder", "Ann")
    notice = session.exec(select(Notification).where(Notification.deadline_id == deadline.id)
                          ).one()
    assert notice.kind == "reminder"
    assert "Ann" in notice.subject and "empathy" in notice.subject
    # Routing sends the "owner" role to the person to be trained, not the action's owner.
    assert notice.extra == {"training_id": item.id, "owner": "Ann"}


def test_training_done_meets_its_deadline_and_the_sweep_stops_chasing_it(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    request_id = _open(desk_db, desk, policy)
    _resolve(desk_db, desk, policy, request_id, T0 + H)
    _answer(desk_db, desk, policy, request_id,
            Answer(solved=True, overall=3, dimensions={"responsiveness": 1}), T0 + 2 * H)
    [item] = training_of(session, "Ann")
    assert item.id is not None
    with session_scope(desk_db) as s:
        mark_training_done(s, policy=policy, item_id=item.id, note="Coached on call-backs",
                           actor="Mia", now=T0 + 3 * D)
    session.expire_all()
    deadline = _training_deadline(session, item)
    assert (deadline.status, deadline.met_on_time) == ("met", True)
    [done] = _events(session, deadline.case_id, "training_done")
    assert done.fields == {"training": item.id, "person": "Ann",
                           "dimension": "responsiveness"}
    report = sweep(desk_db, now=item.due_at + 5 * D, policy=policy)
    assert [a for a in report.actions if a.get("training") == item.id] == []

    with session_scope(desk_db) as s, pytest.raises(Conflict):
        mark_training_done(s, policy=policy, item_id=item.id, note=None, actor="Mia",
                           now=T0 + 4 * D)
    with session_scope(desk_db) as s, pytest.raises(NotFound):
        mark_training_done(s, policy=policy, item_id=item.id + 100, note=None, actor="Mia",
                           now=T0 + 4 * D)


def test_a_claim_opens_its_corrective_action_at_intake_once(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    request_id = _open(desk_db, desk, policy, kind="claim", title="Water damage, we claim")
    corrective_id = _request(session, request_id).corrective_case_id
    assert corrective_id is not None
    action = session.get(Case, corrective_id)
    assert action is not None and action.lifecycle == "8d"
    assert "claim" in action.title and "HOTEL" in action.content["problem"]
    [said] = _events(session, request_id, "corrective_action")
    assert said.fields["reason"] == "claim for compensation"
    kinds = {n.kind for n in session.exec(select(Notification)) if "management" in n.audience}
    assert {"claim", "corrective_action"} <= kinds
    # A low score on the claim later joins the action it already has.
    _resolve(desk_db, desk, policy, request_id, T0 + H)
    _answer(desk_db, desk, policy, request_id, LOW_OVERALL, T0 + 2 * H)
    session.expire_all()
    assert _request(session, request_id).corrective_case_id == corrective_id
    assert _count(session, "8d") == 1


def _complaints(engine: Engine, desk: ServiceDesk, policy: DeadlinePolicy, n: int,
                start: datetime, category: str = "billing") -> list[int]:
    return [_open(engine, desk, policy, kind="complaint", category=category, customer="SHOP",
                  at=start + k * H, title=f"Invoice wrong ({k})") for k in range(n)]


def test_two_complaints_of_a_category_in_a_month_open_nothing(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    ids = _complaints(desk_db, desk, policy, 2, T0)
    assert _count(session, "pdca") == 0
    assert all(_request(session, i).corrective_case_id is None for i in ids)


def test_the_third_complaint_of_a_month_opens_one_pdca_the_fourth_joins_it(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    ids = _complaints(desk_db, desk, policy, 3, T0)
    assert _count(session, "pdca") == 1
    cycle = session.exec(select(Case).where(Case.lifecycle == "pdca")).one()
    assert cycle.owner == "service_manager" and cycle.supplier_id is None
    assert "billing" in cycle.title and "2026-03" in cycle.title
    assert all(f"#{i}" in cycle.content["problem"] for i in ids)
    # All three complaints of the month are linked to it.
    assert {_request(session, i).corrective_case_id for i in ids} == {cycle.id}
    told = session.exec(select(Notification).where(
        Notification.dedupe_key == "service:repeat_complaints:billing:2026-03")).one()
    assert told.case_id == cycle.id and "management" in told.audience

    [fourth] = _complaints(desk_db, desk, policy, 1, T0 + 5 * D)
    session.expire_all()
    assert _count(session, "pdca") == 1
    assert _request(session, fourth).corrective_case_id == cycle.id
    assert cycle.id is not None
    [counted] = _events(session, cycle.id, "complaint")
    assert counted.fields == {"request": fourth, "complaints_this_month": 4}
    [said] = _events(session, fourth, "corrective_action")
    assert (said.fields["opened"], said.fields["complaints_this_month"]) == (False, 4)

    # Another category counts on its own; a new month starts over.
    _complaints(desk_db, desk, policy, 2, T0, category="delivery")
    assert _count(session, "pdca") == 1
    april = _complaints(desk_db, desk, policy, 3, datetime.fromisoformat(
        "2026-04-01T08:00:00+00:00"))
    assert _count(session, "pdca") == 2
    assert _request(session, april[-1]).corrective_case_id not in (None, cycle.id)


def test_a_month_already_claimed_is_never_opened_twice(
    desk_db: Engine, desk: ServiceDesk, policy: DeadlinePolicy, session: Session,
) -> None:
    """The unique key is what decides, not the count: counting the same complaint again
    (a retried intake, or the loser of a race) finds the month claimed and joins its cycle."""
    ids = _complaints(desk_db, desk, policy, 3, T0)
    with session_scope(desk_db) as s:
        again: Any = count_complaint(s, desk=desk, policy=policy, case_id=ids[-1],
                                     actor="desk", now=T0 + D)
    assert again is not None and again.opened is False
    assert _count(session, "pdca") == 1
