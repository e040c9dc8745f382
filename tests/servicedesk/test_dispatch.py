"""Dispatch: category → team and skill; the available person with the fewest open requests,
a tier's named people first; absent people skipped; nobody available → the team lead,
flagged; no lead → not dispatched, flagged, the service manager told; a manual dispatch is
checked; every decision says why (docs/architecture.md, "Service desk")."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from capaflow.config import load_policies
from capaflow.config.loader import merge_policies
from capaflow.config.policies import validate_policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput
from capaflow.models import Notification
from capaflow.servicedesk.dispatch import choose
from capaflow.servicedesk.policy import load_desk
from capaflow.servicedesk.register import mark_absent
from capaflow.servicedesk.requests import get_request
from tests.helpers import snapshot
from tests.servicedesk.support import MONDAY, D, H, advance, desk, open_one, seed


@pytest.fixture
def seeded(sqlite_session: Session) -> Session:
    seed(sqlite_session)
    return sqlite_session


@pytest.fixture
def sqlite_session(sqlite_url: str) -> Session:
    from capaflow.models.db import get_engine

    return Session(get_engine(sqlite_url))


def _assignee(session: Session, case_id: int) -> str | None:
    case, _ = get_request(session, case_id)
    return case.owner


def test_the_team_member_with_the_skill_and_fewest_open_requests_takes_it(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    first = open_one(seeded, policy)  # repair → team field; ann and bob have the skill
    second = open_one(seeded, policy)
    third = open_one(seeded, policy)
    assert [_assignee(seeded, s.case.id or 0) for s in (first, second, third)] == [
        "ann", "bob", "ann"]
    reason = first.steps[-1].event.fields["reason"]
    assert "category repair goes to team field with skill repair" in reason
    assert "fewest open requests (ann 0, bob 0)" in reason


def test_only_people_with_the_skill_take_the_category(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    # installation: only ann has it, however many she holds.
    for _ in range(3):
        opened = open_one(seeded, policy, category="installation")
        assert _assignee(seeded, opened.case.id or 0) == "ann"


def test_absent_people_are_skipped_and_the_reason_says_so(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    mark_absent(seeded, name="ann", starts_at=MONDAY - H, ends_at=MONDAY + D, now=MONDAY)
    seeded.commit()
    opened = open_one(seeded, policy)
    assert _assignee(seeded, opened.case.id or 0) == "bob"
    assert "absent: ann" in opened.steps[-1].event.fields["reason"]
    # Back the next day.
    later = open_one(seeded, policy, now=MONDAY + D + H)
    assert _assignee(seeded, later.case.id or 0) == "ann"


def test_nobody_available_goes_to_the_team_lead_flagged(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    for name in ("ann",):
        mark_absent(seeded, name=name, starts_at=MONDAY - H, ends_at=MONDAY + D, now=MONDAY)
    seeded.commit()
    opened = open_one(seeded, policy, category="installation")
    case, request = get_request(seeded, opened.case.id or 0)
    assert case.owner == "lea"
    assert request.dispatch_flag is not None and "nobody on team field" in request.dispatch_flag
    assert "the team lead lea takes it" in opened.steps[-1].event.fields["reason"]


def test_a_team_without_anyone_or_a_lead_leaves_the_request_received_and_flagged(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    # billing → team office: olga only, no lead.
    mark_absent(seeded, name="olga", starts_at=MONDAY - H, ends_at=MONDAY + D, now=MONDAY)
    seeded.commit()
    opened = open_one(seeded, policy, category="billing")
    case, request = get_request(seeded, opened.case.id or 0)
    assert (case.state, case.owner) == ("received", None)
    assert request.dispatch_flag is not None and "no lead" in request.dispatch_flag
    told = seeded.exec(select(Notification).where(Notification.kind == "undispatched")).all()
    assert [n.audience for n in told] == [["service_manager"]]


def test_a_tier_names_its_people_first() -> None:
    document = merge_policies(load_policies(), {"service": {"tiers": {"key": {
        "first": ["bob"]}}}})
    named = load_desk(validate_policies(document))
    assert named.tier("key").first == ("bob",)


def test_a_key_customer_goes_to_the_people_its_tier_names_first(
    seeded: Session, policy: DeadlinePolicy
) -> None:
    document = merge_policies(load_policies(), {"service": {"tiers": {"key": {
        "first": ["bob"]}}}})
    named = load_desk(validate_policies(document))
    open_one(seeded, policy)  # ann 1 (fewest: ann, bob tie → ann)
    open_one(seeded, policy)  # bob 1
    open_one(seeded, policy)  # ann 2
    decision = choose(seeded, named, category="repair", tier="key", now=MONDAY)
    assert decision.assignee == "bob"
    assert "named first for tier key" in decision.why
    assert choose(seeded, named, category="repair", tier="standard",
                  now=MONDAY).assignee == "bob"  # bob has fewer anyway (1 against 2)


def test_dispatching_by_hand_to_an_absent_person_is_refused_and_writes_nothing(
    seeded: Session, policy: DeadlinePolicy, sqlite_url: str
) -> None:
    mark_absent(seeded, name="bob", starts_at=MONDAY - H, ends_at=MONDAY + D, now=MONDAY)
    seeded.commit()
    case_id = open_one(seeded, policy).case.id or 0
    before = snapshot(sqlite_url)
    with pytest.raises(BadInput, match="bob is absent") as refused:
        advance(seeded, policy, case_id, "dispatch", MONDAY + H, assignee="bob",
                reason="knows the model")
    assert refused.value.field == "assignee"
    seeded.rollback()
    assert snapshot(sqlite_url) == before


def test_a_re_dispatch_needs_a_reason_and_moves_the_owner(
    seeded: Session, policy: DeadlinePolicy, sqlite_url: str
) -> None:
    case_id = open_one(seeded, policy).case.id or 0
    assert _assignee(seeded, case_id) == "ann"
    before = snapshot(sqlite_url)
    with pytest.raises(BadInput) as refused:
        advance(seeded, policy, case_id, "dispatch", MONDAY + H, assignee="bob")
    assert refused.value.field == "reason"
    seeded.rollback()
    assert snapshot(sqlite_url) == before
    moved = advance(seeded, policy, case_id, "dispatch", MONDAY + H, assignee="bob",
                    reason="ann is on site elsewhere")
    assert moved.case.owner == "bob"
    assert moved.steps[0].event.fields == {"assignee": "bob",
                                           "reason": "ann is on site elsewhere"}


def test_the_desk_checks_the_names_its_tables_use() -> None:
    from capaflow.config.sections import PolicyError

    for change, path in (
        ({"tiers": {"key": {"hours": "nights"}}}, "service.tiers.key.hours"),
        ({"claim_min_severity": "S7"}, "service.claim_min_severity"),
        ({"tiers": {"key": {"sla": {"S9": {"response": "1h", "resolution": "2h"}}}}},
         "service.tiers.key.sla.S9"),
        ({"tiers": {"key": {"sla": {"S1": {"response": "2d", "resolution": "2h"}}}}},
         "service.tiers.key.sla.S1.response"),
        ({"hours": {"business": {"opens": "18:00", "closes": "08:00"}}},
         "service.hours.business.closes"),
    ):
        with pytest.raises(PolicyError) as refused:
            validate_policies(merge_policies(load_policies(), {"service": change}))
        assert refused.value.field == path, refused.value.message
    assert desk().rank("S1") == 1
