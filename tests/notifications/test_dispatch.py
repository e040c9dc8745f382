"""Dispatch: due notices go out once, failures retry with doubling backoff, then give up.

Every test runs on a SQLite file and on PostgreSQL (`db_url`), through the recording fake of
the Notifier port; test_notifier.py and test_cli.py go through Apprise to real receivers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

import capaflow.notifications.dispatch as dispatch_module
from capaflow.errors import BadInput
from capaflow.models import Notification
from capaflow.models.db import get_engine, session_scope
from capaflow.notifications.dispatch import (
    MAX_BACKOFF,
    backoff,
    dispatch_policy,
)
from capaflow.notifications.dispatch import _begin as begin
from capaflow.notifications.dispatch import _claim as claim
from capaflow.notifications.notifier import Delivery, RecordingNotifier
from capaflow.notifications.routing import Routes
from tests.conftest import T0
from tests.notifications.support import (
    ACME_CONTACT,
    LEAD,
    LENA,
    MANAGER,
    S,
    add_case,
    add_supplier,
    load,
    queue,
    run,
)


def _acme_case(db_url: str, **urls: str | None) -> int:
    return add_case(db_url, supplier_id=add_supplier(db_url, "ACME", **urls))


def test_due_notice_goes_to_its_resolved_recipients_and_is_marked_sent(db_url: str) -> None:
    case_id = _acme_case(db_url)
    notice_id = queue(db_url, case_id=case_id, audience=["owner", "supplier_contact"],
                      subject="containment due")
    notifier = RecordingNotifier()
    report = run(db_url, notifier, now=T0 + S)
    assert (report.sent_ids, report.retried_ids, report.failed_ids) == ([notice_id], [], [])
    [sent] = notifier.sent
    assert (sent.subject, sent.targets) == ("containment due", (LENA, ACME_CONTACT))
    assert sent.body.startswith("body of notice")
    notice = load(db_url, notice_id)
    assert (notice.status, notice.attempts, notice.sent_at, notice.last_error) == (
        "sent", 1, T0 + S, None
    )
    assert notice.next_attempt_at is None


def test_notice_not_yet_due_is_left_alone(db_url: str) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"], due=T0 + 10 * S)
    notifier = RecordingNotifier()
    assert run(db_url, notifier, now=T0 + 9 * S).sent == 0
    assert notifier.sent == [] and load(db_url, notice_id).status == "pending"
    assert run(db_url, notifier, now=T0 + 10 * S).sent_ids == [notice_id]


def test_failed_send_is_retried_with_doubling_backoff_then_given_up(db_url: str) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"])
    notifier = RecordingNotifier(failing={LENA})
    policy: dict[str, Any] = {"max_attempts": 3, "backoff_seconds": 30}

    assert run(db_url, notifier, now=T0, **policy).retried_ids == [notice_id]
    first = load(db_url, notice_id)
    assert (first.status, first.attempts, first.next_attempt_at) == ("pending", 1, T0 + 30 * S)
    assert first.last_error == f"attempt 1 of 3 failed: {LENA}: refused"

    # Not due before its backoff has passed.
    assert run(db_url, notifier, now=T0 + 29 * S, **policy).retried == 0
    assert len(notifier.sent) == 1

    assert run(db_url, notifier, now=T0 + 30 * S, **policy).retried_ids == [notice_id]
    second = load(db_url, notice_id)
    assert (second.attempts, second.next_attempt_at) == (2, T0 + 30 * S + 60 * S)

    report = run(db_url, notifier, now=T0 + 90 * S, **policy)
    assert report.failed_ids == [notice_id]
    given_up = load(db_url, notice_id)
    assert (given_up.status, given_up.attempts, given_up.next_attempt_at) == ("failed", 3, None)
    assert given_up.last_error == f"gave up after 3 attempts: {LENA}: refused"
    assert run(db_url, notifier, now=T0 + 10_000 * S, **policy).failed == 0
    assert len(notifier.sent) == 3


def test_backoff_doubles_from_the_configured_delay_and_is_capped() -> None:
    assert [backoff(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(500, 30) == MAX_BACKOFF


def test_notice_whose_roles_reach_nobody_fails_at_once(db_url: str) -> None:
    case_id = _acme_case(db_url, contact_url=None)
    notice_id = queue(db_url, case_id=case_id, audience=["supplier_contact", "quality_manager"])
    notifier = RecordingNotifier()
    empty = Routes(source="config/routes.toml", found=False)
    assert run(db_url, notifier, routes=empty).failed_ids == [notice_id]
    assert notifier.sent == []
    notice = load(db_url, notice_id)
    assert notice.status == "failed"
    assert notice.last_error == (
        "no recipients for roles supplier_contact (supplier ACME has no contact URL), "
        "quality_manager (no [roles] quality_manager in the routes file config/routes.toml "
        "(not found))"
    )


def test_roles_that_reach_nobody_are_noted_when_the_others_got_it(db_url: str) -> None:
    case_id = _acme_case(db_url, contact_url=None)
    notice_id = queue(db_url, case_id=case_id, audience=["owner", "supplier_contact"])
    assert run(db_url, RecordingNotifier()).sent_ids == [notice_id]
    assert load(db_url, notice_id).last_error == (
        "no recipients for roles supplier_contact (supplier ACME has no contact URL)"
    )


def test_a_failing_target_does_not_stop_the_other_notices(db_url: str) -> None:
    case_id = _acme_case(db_url)
    to_supplier = queue(db_url, case_id=case_id, audience=["supplier_contact"])
    to_lead = queue(db_url, case_id=case_id, audience=["quality_lead"])
    to_manager = queue(db_url, case_id=case_id, audience=["quality_manager"])
    notifier = RecordingNotifier(failing={ACME_CONTACT})
    report = run(db_url, notifier)
    assert report.sent_ids == [to_lead, to_manager] and report.retried_ids == [to_supplier]
    assert notifier.delivered(LEAD) and notifier.delivered(MANAGER)


def test_a_notifier_that_raises_fails_that_notice_only(db_url: str) -> None:
    class Exploding(RecordingNotifier):
        def send(self, subject: str, body: str, targets: Sequence[str]) -> Delivery:
            if LEAD in targets:
                raise RuntimeError(f"plugin crashed on {LEAD}")
            return super().send(subject, body, targets)

    case_id = add_case(db_url)
    crashing = queue(db_url, case_id=case_id, audience=["quality_lead"])
    fine = queue(db_url, case_id=case_id, audience=["quality_manager"])
    report = run(db_url, Exploding())
    assert (report.retried_ids, report.sent_ids) == ([crashing], [fine])
    assert load(db_url, crashing).last_error == (
        "attempt 1 of 5 failed: RuntimeError: plugin crashed on json://127.0.0.1:9/lead"
    )


def test_retry_after_partial_delivery_goes_only_to_those_who_missed_it(db_url: str) -> None:
    case_id = _acme_case(db_url)
    notice_id = queue(db_url, case_id=case_id, audience=["owner", "supplier_contact"])
    notifier = RecordingNotifier(failing={ACME_CONTACT})
    run(db_url, notifier)
    assert load(db_url, notice_id).extra["delivered"] == [LENA]

    notifier.failing = set()  # the supplier's webhook is back
    assert run(db_url, notifier, now=T0 + 30 * S).sent_ids == [notice_id]
    assert [s.targets for s in notifier.sent] == [(LENA, ACME_CONTACT), (ACME_CONTACT,)]
    assert load(db_url, notice_id).extra["delivered"] == [LENA, ACME_CONTACT]


def test_two_dispatch_runs_never_send_a_row_twice(db_url: str) -> None:
    case_id = add_case(db_url)
    ids = [queue(db_url, case_id=case_id, audience=["owner"]) for _ in range(5)]
    notifier = RecordingNotifier()
    assert run(db_url, notifier, batch_size=2).sent_ids == ids
    assert run(db_url, notifier, now=T0 + 3600 * S, batch_size=2).sent == 0
    assert len(notifier.sent) == 5


def test_concurrent_dispatchers_send_each_notice_once(db_url: str) -> None:
    case_id = add_case(db_url)
    ids = [queue(db_url, case_id=case_id, audience=["owner"]) for _ in range(40)]

    class Slow(RecordingNotifier):
        def send(self, subject: str, body: str, targets: Sequence[str]) -> Delivery:
            time.sleep(0.005)  # a real send takes time; the other dispatcher claims meanwhile
            return super().send(subject, body, targets)

    notifier = Slow()
    reports: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            reports.append(run(db_url, notifier, batch_size=5))
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    subjects = [s.subject for s in notifier.sent]
    assert len(subjects) == 40 and len(set(subjects)) == 40
    assert sorted(reports[0].sent_ids + reports[1].sent_ids) == ids
    assert reports[0].sent and reports[1].sent  # they did run side by side


def test_a_claim_takes_at_most_its_batch_oldest_first(db_url: str) -> None:
    # Guards the claim's shape: as UPDATE ... WHERE id IN (SELECT ... LIMIT ... FOR UPDATE
    # SKIP LOCKED), PostgreSQL re-ran the subquery per row and claimed 823 rows of 200.
    case_id = add_case(db_url)
    ids = [queue(db_url, case_id=case_id, audience=["owner"], due=T0 - n * S)
           for n in range(30)]
    with session_scope(get_engine(db_url)) as session:
        claimed = claim(session, now=T0, lease_until=T0 + 600 * S, limit=10)
    assert claimed is not None
    assert sorted(n.id or 0 for n in claimed) == sorted(ids[-10:])  # the longest waiting
    assert [load(db_url, i).status for i in ids].count("sending") == 10
    # A claim costs no attempt: that is counted when the send is made.
    assert all(n.attempts == 0 and n.next_attempt_at == T0 + 600 * S for n in claimed)


def test_row_left_sending_by_a_crashed_dispatcher_is_resent_after_its_lease(
    db_url: str,
) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"])
    # A dispatcher claims it, sends, and dies before it can mark it.
    with session_scope(get_engine(db_url)) as session:
        [claimed] = claim(session, now=T0, lease_until=T0 + 600 * S, limit=10) or []
        assert begin(session, claimed)
    assert (claimed.id, load(db_url, notice_id).status) == (notice_id, "sending")

    notifier = RecordingNotifier()
    assert run(db_url, notifier, now=T0 + 599 * S).sent == 0  # still under its lease
    assert run(db_url, notifier, now=T0 + 600 * S).sent_ids == [notice_id]  # at least once
    notice = load(db_url, notice_id)
    assert (notice.status, notice.attempts) == ("sent", 2)


def test_row_claimed_but_never_sent_goes_back_to_pending_with_its_attempts(
    db_url: str,
) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"])
    # A dispatcher claims it and dies before sending: that cost no attempt.
    with session_scope(get_engine(db_url)) as session:
        claim(session, now=T0, lease_until=T0 + 600 * S, limit=10)
    assert (load(db_url, notice_id).attempts) == 0
    notifier = RecordingNotifier()
    report = run(db_url, notifier, now=T0 + 600 * S, max_attempts=1)
    assert (report.sent_ids, report.failed_ids) == ([notice_id], [])
    notice = load(db_url, notice_id)
    assert (notice.status, notice.attempts) == ("sent", 1)


def test_a_claim_taken_over_after_its_lease_is_no_longer_the_first_dispatchers(
    db_url: str,
) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"])
    with session_scope(get_engine(db_url)) as session:
        [stale] = claim(session, now=T0, lease_until=T0 + 600 * S, limit=10) or []
        # It stalls past its lease; another dispatcher claims the row afresh.
        [fresh] = claim(session, now=T0 + 600 * S, lease_until=T0 + 1200 * S, limit=10) or []
        assert not begin(session, stale)  # the lease's end fences the first one out
        assert begin(session, fresh)
    assert (fresh.id, load(db_url, notice_id).attempts) == (notice_id, 1)


def test_row_left_sending_on_its_last_attempt_is_failed_not_resent(db_url: str) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"])
    with session_scope(get_engine(db_url)) as session:
        [claimed] = claim(session, now=T0, lease_until=T0 + 600 * S, limit=10) or []
        assert begin(session, claimed)  # the send was in flight when it died
    notifier = RecordingNotifier()
    report = run(db_url, notifier, now=T0 + 600 * S, max_attempts=1)
    assert report.failed_ids == [notice_id] and notifier.sent == []
    notice = load(db_url, notice_id)
    assert notice.status == "failed"
    assert notice.last_error is not None and "may or may not have arrived" in notice.last_error


def test_slow_batch_hands_back_its_unsent_rows_before_the_lease_runs_out(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed_back: list[int] = []
    hand_back = dispatch_module._hand_back

    def spy(session: Any, notices: Sequence[Notification], *, now: datetime) -> None:
        handed_back.extend(n.id or 0 for n in notices)
        hand_back(session, notices, now=now)

    monkeypatch.setattr(dispatch_module, "_hand_back", spy)
    case_id = add_case(db_url)
    ids = [queue(db_url, case_id=case_id, audience=["owner"]) for _ in range(4)]
    seconds = [0.0]

    class Slow(RecordingNotifier):
        def send(self, subject: str, body: str, targets: Sequence[str]) -> Delivery:
            seconds[0] += 200  # each send takes 200 s of a 600 s lease
            return super().send(subject, body, targets)

    notifier = Slow()
    report = run(db_url, notifier, batch_size=4, lease_seconds=600,
                 timer=lambda: seconds[0])
    # Sends 1 and 2 fit in half the lease; the rest went back and were claimed afresh.
    assert handed_back == ids[2:]
    assert report.sent_ids == ids and len(notifier.sent) == 4
    # A row handed back unsent is not charged an attempt.
    assert [load(db_url, i).attempts for i in ids] == [1, 1, 1, 1]


@pytest.mark.parametrize("name", ["max_attempts", "backoff_seconds", "batch_size"])
@pytest.mark.parametrize("value", [0, -3, "5", 2.5, True, None])
def test_dispatch_policy_values_must_be_positive_whole_numbers(name: str, value: Any) -> None:
    table: dict[str, Any] = {"max_attempts": 5, "backoff_seconds": 30, "batch_size": 200}
    table[name] = value
    with pytest.raises(BadInput, match=f"dispatch.{name}: must be a positive whole number") as e:
        dispatch_policy({"dispatch": table})
    assert e.value.field == f"dispatch.{name}"


def test_default_dispatch_policy_is_read_from_config() -> None:
    from capaflow.config import load_policies

    policy = dispatch_policy(load_policies())
    assert (policy.max_attempts, policy.backoff_seconds, policy.batch_size) == (5, 30, 200)


def test_backoff_never_overflows_for_a_huge_attempt_count() -> None:
    assert backoff(10**6, 10**6) == MAX_BACKOFF
    assert backoff(1, 1) == timedelta(seconds=1)


def test_a_notice_about_a_supplier_without_a_case_reaches_the_supplier(db_url: str) -> None:
    """A grade escalation has no case: the supplier named in its extra is the one reached."""
    supplier_id = add_supplier(db_url)
    notice_id = queue(db_url, case_id=None, audience=["supplier_contact"],
                      extra={"supplier_id": supplier_id})
    notifier = RecordingNotifier()
    report = run(db_url, notifier, now=T0 + S)
    assert report.sent_ids == [notice_id]
    assert notifier.sent[0].targets == (ACME_CONTACT,)
