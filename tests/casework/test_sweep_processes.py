"""Sweeps in real processes: two at once, and one killed half-way, never duplicate or lose."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from capaflow.casework.engine import open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Deadline, Notification
from capaflow.models.db import session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

CAPA = str(Path(sys.executable).with_name("capa"))
AFTER_DUE = (T0 + timedelta(hours=25)).isoformat()


def _open_cases(engine: Engine, policy: DeadlinePolicy, count: int) -> None:
    with session_scope(engine) as session:
        add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                     executive=None, now=T0)
        for n in range(count):
            open_case(
                session, lifecycle="8d", title=f"defect {n}", supplier_code="ACME",
                part="P", defect_code="D", severity="major", complex_cause=False,
                owner="lena", team=None, problem=None, actor="lena", now=T0, policy=policy,
            )


def _sweep_process(db_url: str, batch_size: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPA_")}
    return subprocess.Popen(
        [CAPA, "sweep", "--db", db_url, "--now", AFTER_DUE, "--batch-size", str(batch_size),
         "--json"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _escalations(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "escalation")).one()
        distinct = session.exec(select(func.count(func.distinct(Notification.deadline_id)))
                                .where(Notification.kind == "escalation")).one()
    return total, distinct


def _every_deadline_escalated_once(engine: Engine, cases: int) -> None:
    assert _escalations(engine) == (cases, cases)
    with Session(engine) as session:
        levels = session.exec(select(Deadline.escalation_level, func.count())
                              .group_by(col(Deadline.escalation_level))).all()
    assert list(levels) == [(1, cases)]


def test_two_sweeps_at_once_queue_each_notice_exactly_once(
    engine: Engine, db_url: str, policy: DeadlinePolicy
) -> None:
    cases = 400
    _open_cases(engine, policy, cases)
    first, second = _sweep_process(db_url, 20), _sweep_process(db_url, 20)
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    _every_deadline_escalated_once(engine, cases)


def test_a_sweep_killed_half_way_loses_nothing_and_duplicates_nothing(
    engine: Engine, db_url: str, policy: DeadlinePolicy
) -> None:
    cases = 600
    _open_cases(engine, policy, cases)
    victim = _sweep_process(db_url, 5)
    deadline = time.monotonic() + 60
    try:
        # Kill it once it has committed some batches but (almost surely) not all.
        while _escalations(engine)[0] == 0 and victim.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail("the sweep committed nothing within 60 s")
            time.sleep(0.01)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    done_before_restart = _escalations(engine)[0]
    survivor = _sweep_process(db_url, 50)
    _, err = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, err.decode()
    _every_deadline_escalated_once(engine, cases)
    assert 0 < done_before_restart <= cases
