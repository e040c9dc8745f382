"""Dispatchers in real processes killed with SIGKILL: a claim costs no attempt, a notice is
never lost, and only a send in flight at the crash may go out twice.

Each process (tests/notifications/crashing_dispatcher.py) kills itself at a fixed point, so
where it dies is chosen, not timed; deliveries go through Apprise to a real local receiver.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from capaflow.models import Notification
from capaflow.models.db import get_engine
from capaflow.notifications.notifier import AppriseNotifier
from capaflow.notifications.routing import Routes
from tests.conftest import T0
from tests.notifications.conftest import HttpReceiver
from tests.notifications.crashing_dispatcher import LEASE_SECONDS, MAX_ATTEMPTS
from tests.notifications.support import S, add_case, queue, run

ROOT = Path(__file__).resolve().parents[2]
LEASE = LEASE_SECONDS * S


def _dispatcher(db_url: str, now: datetime, owner_url: str, point: str) -> str:
    """Run one dispatcher process to its chosen point; what it said if it was not killed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPA_")}
    done = subprocess.run(
        [sys.executable, "-m", "tests.notifications.crashing_dispatcher", db_url,
         now.isoformat(), owner_url, point],
        cwd=ROOT, env=env, capture_output=True, timeout=120, check=False,
    )
    if done.returncode == -signal.SIGKILL:
        return "killed"
    return f"exit {done.returncode}: {done.stderr.decode()}"


def _notices(db_url: str) -> list[Notification]:
    with Session(get_engine(db_url)) as session:
        return list(session.exec(select(Notification).order_by(col(Notification.id))))


def _routes(receiver: HttpReceiver) -> Routes:
    return Routes(roles={}, people={"lena": (receiver.url("lena"),)}, source="test")


def test_a_dispatcher_killed_again_and_again_before_sending_burns_no_attempt(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    case_id = add_case(db_url)
    ids = [queue(db_url, case_id=case_id, audience=["owner"]) for _ in range(4)]
    now = T0
    # More crashes than there are attempts: each one claims the whole batch and dies.
    for _ in range(MAX_ATTEMPTS + 1):
        ended = _dispatcher(db_url, now, http_receiver.url("lena"), "claimed")
        notices = _notices(db_url)
        assert [n.id for n in notices if n.status == "failed"] == []  # never tried, not failed
        assert ended == "killed"
        assert [(n.status, n.attempts) for n in notices] == [("sending", 0)] * 4
        now += LEASE  # the dead dispatcher's lease runs out
    assert http_receiver.posts == []

    report = run(db_url, AppriseNotifier(throttle=False), now=now, routes=_routes(http_receiver),
                 max_attempts=MAX_ATTEMPTS)
    assert (report.sent_ids, report.failed_ids) == (ids, [])
    assert [(n.status, n.attempts) for n in _notices(db_url)] == [("sent", 1)] * 4
    assert sorted(p.body["title"] for p in http_receiver.posts) == sorted(
        n.subject for n in _notices(db_url))


def test_a_notice_in_flight_at_the_crash_is_sent_again_with_its_attempt_counted(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"])
    assert _dispatcher(db_url, T0, http_receiver.url("lena"), "sent") == "killed"
    [notice] = _notices(db_url)
    assert (notice.status, notice.attempts) == ("sending", 1)
    assert len(http_receiver.posts) == 1

    routes = _routes(http_receiver)
    notifier = AppriseNotifier(throttle=False)
    # Under the dead dispatcher's lease nothing moves; after it, the notice goes out again.
    assert run(db_url, notifier, now=T0 + LEASE - S, routes=routes).sent == 0
    report = run(db_url, notifier, now=T0 + LEASE, routes=routes, max_attempts=MAX_ATTEMPTS)
    assert report.sent_ids == [notice_id]
    [notice] = _notices(db_url)
    assert (notice.status, notice.attempts) == ("sent", 2)
    assert [p.path for p in http_receiver.posts] == ["/lena", "/lena"]  # at least once


def test_a_notice_in_flight_on_its_last_attempt_is_failed_not_sent_again(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    notice_id = queue(db_url, case_id=add_case(db_url), audience=["owner"])
    assert _dispatcher(db_url, T0, http_receiver.url("lena"), "sent") == "killed"
    report = run(db_url, AppriseNotifier(throttle=False), now=T0 + LEASE,
                 routes=_routes(http_receiver), max_attempts=1)
    assert report.failed_ids == [notice_id]
    [notice] = _notices(db_url)
    assert (notice.status, notice.attempts) == ("failed", 1)
    assert len(http_receiver.posts) == 1
