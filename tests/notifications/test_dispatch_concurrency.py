"""A claimed batch is sent a few notices at a time (notifications.dispatch, "Concurrency"):
each notice still gets its attempt counted before its send and its own mark after it.

The receiver answers slowly, so sends that run at once are seen to overlap there; that is the
proof of concurrency, not how long the run took."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from capaflow.config import load_policies
from capaflow.errors import BadInput
from capaflow.models import Notification
from capaflow.models.db import get_engine, session_scope
from capaflow.notifications.dispatch import MAX_CONCURRENCY, dispatch_policy
from capaflow.notifications.notifier import AppriseNotifier
from capaflow.notifications.routing import Routes
from tests.conftest import T0
from tests.notifications.conftest import HttpReceiver
from tests.notifications.support import S, add_case, load, queue, run


def _routes(receiver: HttpReceiver) -> Routes:
    return Routes(people={f"p{i}": (receiver.url(f"people/p{i}"),) for i in range(12)},
                  source="routes.toml")


def _statuses(url: str) -> Counter[str]:
    with session_scope(get_engine(url)) as session:
        return Counter(session.exec(select(Notification.status)).all())


def test_a_batch_is_sent_concurrently_each_notice_marked_once_and_the_pool_bounded(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    http_receiver.delay = 0.3
    ids = [queue(db_url, case_id=add_case(db_url, owner=f"p{i}"), audience=["owner"])
           for i in range(12)]

    report = run(db_url, AppriseNotifier(throttle=False), routes=_routes(http_receiver),
                 batch_size=12, concurrency=4)

    # Sends overlapped at the receiver, and never more of them than the pool allows.
    assert 2 <= http_receiver.most_at_once <= 4
    # Every notice arrived once, was marked sent once, with one attempt counted.
    assert sorted(http_receiver.paths()) == sorted(f"/people/p{i}" for i in range(12))
    assert report.sent_ids == ids
    assert report.retried_ids == report.failed_ids == []
    for notice_id in ids:
        notice = load(db_url, notice_id)
        assert (notice.status, notice.attempts) == ("sent", 1)


def test_failures_in_a_concurrent_batch_count_one_attempt_per_real_send(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    http_receiver.delay = 0.1
    http_receiver.failing = {"/people/p1", "/people/p3"}
    ids = [queue(db_url, case_id=add_case(db_url, owner=f"p{i}"), audience=["owner"])
           for i in range(6)]
    routes = _routes(http_receiver)

    first = run(db_url, AppriseNotifier(throttle=False), routes=routes, concurrency=3)
    assert first.retried_ids == [ids[1], ids[3]]
    assert first.sent_ids == [ids[0], ids[2], ids[4], ids[5]]
    assert [load(db_url, i).attempts for i in ids] == [1, 1, 1, 1, 1, 1]

    # The retry, after the backoff: only the two failed notices go again, one attempt each.
    second = run(db_url, AppriseNotifier(throttle=False), routes=routes, concurrency=3,
                 now=T0 + 31 * S, max_attempts=2)
    assert second.failed_ids == [ids[1], ids[3]]
    assert second.sent_ids == []
    assert [load(db_url, i).attempts for i in ids] == [1, 2, 1, 2, 1, 1]
    assert Counter(http_receiver.paths()) == Counter(
        {"/people/p0": 1, "/people/p2": 1, "/people/p4": 1, "/people/p5": 1,
         "/people/p1": 2, "/people/p3": 2})
    assert _statuses(db_url) == Counter({"sent": 4, "failed": 2})


@pytest.mark.parametrize("value", [0, MAX_CONCURRENCY + 1, "many"])
def test_dispatch_concurrency_is_bounded_in_the_policies(value: object) -> None:
    policies = load_policies()
    raw = {**policies, "dispatch": {**policies["dispatch"], "concurrency": value}}
    with pytest.raises(BadInput) as refused:
        dispatch_policy(raw)
    assert "dispatch.concurrency" in str(refused.value)


def test_the_default_concurrency_is_a_small_pool() -> None:
    assert dispatch_policy(load_policies()).concurrency == 8
