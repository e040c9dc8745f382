"""A service request from intake to closure: SLA clocks on the tier's hours, hold and resume,
escalation, claims, follow-up, reopening, and every refusal writing nothing
(docs/architecture.md, "Service desk")."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from capaflow.casework.sweep import sweep
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, NotFound
from capaflow.models import Case, FollowUp, Notification, ServiceRequest
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.requests import drawn_for_follow_up, get_request
from tests.helpers import snapshot
from tests.servicedesk.support import MONDAY, D, H, M, advance, clocks, desk, open_one, seed


@pytest.fixture
def seeded(session: Session) -> Session:
    seed(session)
    return session


def test_clocks_run_on_business_hours_for_a_standard_customer(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    opened = open_one(seeded, policy, customer="SHOP", severity="S3")
    found = clocks(seeded, opened.case.id or 0)
    # S3 standard: response 4 working hours, resolution 3 business days of 10 hours = 30 h:
    # Monday 9 h (09-18), Tuesday 10, Wednesday 10, then Thursday 08:00 + 1 h.
    assert found["first_response"].due_at == MONDAY + 4 * H
    assert found["resolution"].due_at == MONDAY + 3 * D
    assert found["first_response"].met_by == ["acknowledge", "resolve"]


def test_clocks_run_around_the_clock_for_a_key_customer(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    night = MONDAY.replace(hour=23)
    opened = open_one(seeded, policy, customer="HOTEL", severity="S1", now=night)
    found = clocks(seeded, opened.case.id or 0)
    assert found["first_response"].due_at == night + 30 * M
    assert found["resolution"].due_at == night + 4 * H


def test_acknowledge_meets_the_first_response_and_resolve_the_resolution(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    case_id = open_one(seeded, policy).case.id or 0
    advance(seeded, policy, case_id, "acknowledge", MONDAY + 5 * H, response="on my way")
    advance(seeded, policy, case_id, "resolve", MONDAY + 6 * H, resolution="new element")
    found = clocks(seeded, case_id)
    assert (found["first_response"].status, found["first_response"].met_on_time) == ("met",
                                                                                      False)
    assert (found["resolution"].status, found["resolution"].met_on_time) == ("met", True)
    _, request = get_request(seeded, case_id)
    assert request.responded_at == MONDAY + 5 * H and request.resolved_at == MONDAY + 6 * H


def test_hold_stops_the_clocks_and_resume_gives_the_held_time_back(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    case_id = open_one(seeded, policy).case.id or 0
    advance(seeded, policy, case_id, "acknowledge", MONDAY + H, response="need photos")
    advance(seeded, policy, case_id, "hold", MONDAY + 2 * H, reason="waiting for photos")
    held = clocks(seeded, case_id)["resolution"]
    assert (held.status, held.next_action_at) == ("on_hold", None)
    # Held from Monday 11:00 to Tuesday 11:00: 7 + 3 = 10 working hours.
    advance(seeded, policy, case_id, "resume", MONDAY + D + 2 * H)
    resumed = clocks(seeded, case_id)["resolution"]
    assert resumed.status == "pending"
    assert resumed.held_seconds == 10 * 3600
    assert resumed.due_at == MONDAY + 4 * D  # Thursday 09:00 + 10 working hours = Friday 09:00
    _, request = get_request(seeded, case_id)
    assert request.on_hold is False


def test_the_sweep_leaves_a_held_clock_alone(
    seeded: Session, engine: Engine, policy: DeadlinePolicy
) -> None:
    case_id = open_one(seeded, policy).case.id or 0
    advance(seeded, policy, case_id, "hold", MONDAY + H, reason="customer away")
    report = sweep(engine, now=MONDAY + 30 * D, policy=policy)
    assert [a for a in report.actions if a["case"] == case_id] == []


def test_hold_twice_resume_unheld_and_hold_on_a_closed_request_are_refused(
    seeded: Session, policy: DeadlinePolicy, db_url: str
) -> None:
    case_id = open_one(seeded, policy).case.id or 0
    before = snapshot(db_url)
    with pytest.raises(Conflict, match="not on hold"):
        advance(seeded, policy, case_id, "resume", MONDAY + H)
    seeded.rollback()
    assert snapshot(db_url) == before
    advance(seeded, policy, case_id, "hold", MONDAY + H, reason="away")
    before = snapshot(db_url)
    with pytest.raises(Conflict, match="on hold: resume it first"):
        advance(seeded, policy, case_id, "hold", MONDAY + 2 * H, reason="again")
    seeded.rollback()
    assert snapshot(db_url) == before
    advance(seeded, policy, case_id, "cancel", MONDAY + 3 * H, reason="duplicate")
    before = snapshot(db_url)
    with pytest.raises(Conflict, match="not allowed in state cancelled") as refused:
        advance(seeded, policy, case_id, "hold", MONDAY + 4 * H, reason="x")
    assert refused.value.field == "trigger"
    seeded.rollback()
    assert snapshot(db_url) == before


def test_escalating_the_severity_tightens_the_running_clocks(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    case_id = open_one(seeded, policy, severity="S3").case.id or 0
    advance(seeded, policy, case_id, "escalate", MONDAY + H, severity="S1", reason="fire risk")
    found = clocks(seeded, case_id)
    # S1 standard: response 1 h, resolution 8 h, from the intake at 09:00.
    assert found["first_response"].due_at == MONDAY + H
    assert found["resolution"].due_at == MONDAY + 8 * H
    case, request = get_request(seeded, case_id)
    assert (case.severity, request.severity) == ("S1", "S1")


@pytest.mark.parametrize(("severity", "says"), [
    ("S4", "not more severe than S3"), ("S3", "not more severe than S3"), ("S9", "'S9' is not"),
])
def test_escalating_to_a_lesser_or_unknown_severity_is_refused(
    seeded: Session, policy: DeadlinePolicy, db_url: str, severity: str, says: str
) -> None:
    case_id = open_one(seeded, policy, severity="S3").case.id or 0
    before = snapshot(db_url)
    with pytest.raises(BadInput, match=says) as refused:
        advance(seeded, policy, case_id, "escalate", MONDAY + H, severity=severity)
    assert refused.value.field == "severity"
    seeded.rollback()
    assert snapshot(db_url) == before


def test_a_claim_is_at_least_major_and_management_is_told_at_once(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    opened = open_one(seeded, policy, kind="claim", severity="S4", customer="KIOSK")
    case, request = get_request(seeded, opened.case.id or 0)
    assert (case.severity, request.severity, request.kind) == ("S2", "S2", "claim")
    assert opened.steps[0].event.fields["severity_raised_from"] == "S4"
    notices = seeded.exec(select(Notification).where(Notification.kind == "claim")).all()
    assert [n.audience for n in notices] == [["management", "service_manager"]]


@pytest.mark.parametrize(("field", "value", "error"), [
    ("customer", "NOBODY", NotFound), ("kind", "praise", BadInput),
    ("severity", "S0", BadInput), ("category", "plumbing", BadInput),
    ("channel", "pigeon", BadInput), ("title", "  ", BadInput),
    ("assignee", "ghost", NotFound),
])
def test_bad_intake_names_the_field_and_writes_nothing(
    seeded: Session, policy: DeadlinePolicy, db_url: str, field: str, value: str,
    error: type[Exception],
) -> None:
    from capaflow.servicedesk.requests import open_request

    given = {"customer": "SHOP", "kind": "request", "severity": "S3", "category": "repair",
             "channel": "phone", "title": "Dryer", "assignee": None}
    given[field] = value
    before = snapshot(db_url)
    with pytest.raises(error) as refused:
        open_request(seeded, desk=desk(), policy=policy, description=None, actor="desk",
                     now=MONDAY, **given)  # type: ignore[arg-type]
    assert getattr(refused.value, "field", None) == field
    seeded.rollback()
    assert snapshot(db_url) == before


def test_a_key_customer_is_always_followed_up_and_no_answer_closes_as_no_response(
    seeded: Session, engine: Engine, policy: DeadlinePolicy
) -> None:
    case_id = open_one(seeded, policy, customer="HOTEL", severity="S2").case.id or 0
    advance(seeded, policy, case_id, "resolve", MONDAY + H, resolution="reset the unit")
    case, request = get_request(seeded, case_id)
    assert (case.state, request.sampled) == ("follow_up", True)
    follow_up = seeded.exec(select(FollowUp).where(FollowUp.case_id == case_id)).one()
    assert (follow_up.channel, follow_up.status) == ("survey", "sent")
    sweep(engine, now=MONDAY + H + 7 * D, policy=policy)
    seeded.expire_all()
    case, _ = get_request(seeded, case_id)
    assert (case.state, case.content.get("outcome")) == ("closed", "no_response")


def test_a_request_not_drawn_closes_after_the_waiting_period(
    seeded: Session, engine: Engine, policy: DeadlinePolicy
) -> None:
    # The basic tier draws one in five; find requests that are not drawn.
    case_id = 0
    for n in range(10):
        case_id = open_one(seeded, policy, customer="KIOSK", title=f"Question {n}").case.id or 0
        if not drawn_for_follow_up(case_id, 0.2):
            break
    advance(seeded, policy, case_id, "resolve", MONDAY + H, resolution="answered")
    case, request = get_request(seeded, case_id)
    assert (case.state, request.sampled) == ("resolved", False)
    sweep(engine, now=MONDAY + H + 3 * D, policy=policy)
    seeded.expire_all()
    case, _ = get_request(seeded, case_id)
    assert (case.state, case.content.get("outcome")) == ("closed", "not_sampled")


def test_the_follow_up_draw_is_fixed_per_request_and_follows_the_rate() -> None:
    draws = [drawn_for_follow_up(n, 0.5) for n in range(1, 2001)]
    assert draws == [drawn_for_follow_up(n, 0.5) for n in range(1, 2001)]
    assert 900 < sum(draws) < 1100
    assert all(drawn_for_follow_up(n, 1.0) for n in range(1, 100))
    assert not any(drawn_for_follow_up(n, 0.0) for n in range(1, 100))


def test_solved_closes_and_not_solved_reopens_with_a_new_resolution_clock(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    case_id = open_one(seeded, policy, customer="HOTEL").case.id or 0
    advance(seeded, policy, case_id, "resolve", MONDAY + H, resolution="reset")
    record_follow_up(seeded, desk=desk(), policy=policy, case_id=case_id,
                     answer=Answer(solved=False, overall=2, comment="still cold"),
                     channel="phone", by="ann", actor="ann", now=MONDAY + 2 * H)
    seeded.commit()
    case, _ = get_request(seeded, case_id)
    assert case.state == "in_progress"
    resolution = clocks(seeded, case_id)["resolution"]
    assert (resolution.status, resolution.started_by) == ("pending", "reopen")
    assert resolution.due_at == MONDAY + 2 * H + 24 * H  # key S3: 24 h around the clock
    advance(seeded, policy, case_id, "resolve", MONDAY + 3 * H, resolution="new thermostat")
    record_follow_up(seeded, desk=desk(), policy=policy, case_id=case_id,
                     answer=Answer(solved=True, overall=5, nps=10), channel="phone", by="ann",
                     actor="ann", now=MONDAY + 4 * H)
    seeded.commit()
    case, _ = get_request(seeded, case_id)
    assert (case.state, case.content["outcome"]) == ("closed", "solved")
    answers = seeded.exec(select(FollowUp).where(FollowUp.case_id == case_id)).all()
    assert [(f.status, f.solved) for f in answers] == [("answered", False),
                                                         ("answered", True)]


def test_reopen_after_closure_only_within_the_window(
    seeded: Session, policy: DeadlinePolicy, db_url: str
) -> None:
    case_id = open_one(seeded, policy, customer="HOTEL").case.id or 0
    advance(seeded, policy, case_id, "resolve", MONDAY + H, resolution="reset")
    advance(seeded, policy, case_id, "close", MONDAY + 2 * H)
    advance(seeded, policy, case_id, "reopen", MONDAY + 13 * D, reason="came back")
    case, _ = get_request(seeded, case_id)
    assert case.state == "in_progress"
    advance(seeded, policy, case_id, "resolve", MONDAY + 14 * D, resolution="fixed")
    advance(seeded, policy, case_id, "close", MONDAY + 14 * D + H)
    before = snapshot(db_url)
    with pytest.raises(Conflict, match="may be reopened until"):
        advance(seeded, policy, case_id, "reopen", MONDAY + 29 * D, reason="late")
    seeded.rollback()
    assert snapshot(db_url) == before


@pytest.mark.parametrize(("overall", "field"), [(0, "overall"), (6, "overall")])
def test_a_score_out_of_range_is_refused_and_writes_nothing(
    seeded: Session, policy: DeadlinePolicy, db_url: str, overall: int, field: str
) -> None:
    case_id = open_one(seeded, policy, customer="HOTEL").case.id or 0
    advance(seeded, policy, case_id, "resolve", MONDAY + H, resolution="reset")
    before = snapshot(db_url)
    with pytest.raises(BadInput) as refused:
        record_follow_up(seeded, desk=desk(), policy=policy, case_id=case_id,
                         answer=Answer(solved=True, overall=overall), channel="phone",
                         by="ann", actor="ann", now=MONDAY + 2 * H)
    assert refused.value.field == field
    seeded.rollback()
    assert snapshot(db_url) == before


def test_a_breached_clock_climbs_the_desks_own_ladder(
    seeded: Session, engine: Engine, policy: DeadlinePolicy
) -> None:
    case_id = open_one(seeded, policy, customer="HOTEL", severity="S1").case.id or 0
    # Response due 09:30, resolution 13:00 (around the clock).
    sweep(engine, now=MONDAY + 31 * M, policy=policy)
    sweep(engine, now=MONDAY + 31 * M + 2 * H, policy=policy)
    notices = seeded.exec(select(Notification).where(Notification.case_id == case_id)
                          .where(Notification.kind == "escalation")).all()
    assert [(n.escalation_level, n.audience) for n in notices] == [
        (1, ["owner", "team_lead"]), (2, ["service_manager"]),
    ]
    case = seeded.get(Case, case_id)
    assert case is not None and case.content["team_lead"] == "lea"
    request = seeded.get(ServiceRequest, case_id)
    assert request is not None
