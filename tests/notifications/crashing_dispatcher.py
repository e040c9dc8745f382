"""A dispatcher in a process of its own that kills itself with SIGKILL at a chosen point.

    python -m tests.notifications.crashing_dispatcher DB_URL NOW OWNER_URL POINT

POINT is `claimed` (right after a batch's claim has committed, before anything is sent: a
worker out of memory, a pod restarted) or `sent` (right after the first real send, before its
result is written). It routes the "owner" role of person lena to OWNER_URL through Apprise.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime

from capaflow.models.db import get_engine, session_scope
from capaflow.notifications.dispatch import dispatch
from capaflow.notifications.notifier import AppriseNotifier, Delivery
from capaflow.notifications.routing import Routes

MAX_ATTEMPTS = 3
LEASE_SECONDS = 600


def _die(*_: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _DiesAfterSending(AppriseNotifier):
    def send(self, subject: str, body: str, targets: Sequence[str]) -> Delivery:
        super().send(subject, body, targets)
        _die()
        raise AssertionError("unreachable")


def main(db_url: str, now: str, owner_url: str, point: str) -> None:
    routes = Routes(roles={}, people={"lena": (owner_url,)}, source="test")
    notifier = _DiesAfterSending(throttle=False) if point == "sent" else AppriseNotifier(
        throttle=False)
    with session_scope(get_engine(db_url)) as session:
        dispatch(session, now=datetime.fromisoformat(now), notifier=notifier, routes=routes,
                 max_attempts=MAX_ATTEMPTS, backoff_seconds=30, batch_size=50,
                 lease_seconds=LEASE_SECONDS,
                 on_claim=_die if point == "claimed" else None)


if __name__ == "__main__":
    main(*sys.argv[1:5])
