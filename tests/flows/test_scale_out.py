"""Scale out, proven (README "Running at scale"): two workers sweeping and dispatching the same
due work at once on PostgreSQL lose nothing and do nothing twice, and the audit chain holds.

Twice: with a real Prefect server, the deployments of prefect.yaml on a process work pool and
two real workers, through `ops/scale_demo.py` (`make scale-demo`) itself; and, quicker, with
plain OS processes running `capa sweep` and `capa notify dispatch` at once.

Skipped without CAPA_TEST_POSTGRES_URL, like every PostgreSQL test (CI sets it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from capaflow.casework.engine import open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import Deadline, Notification
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0, _empty_postgres

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CASES = 150
# Bounded: the script waits at most TIMEOUT for its server and for each round of runs; the
# test gives it a little more, then stops it (SIGTERM), which stops all it started.
TIMEOUT = 90


class _Backlogged(ThreadingHTTPServer):
    # Dispatchers send concurrently ([dispatch] concurrency each): socketserver's listen
    # backlog of 5 refuses connections on a busy machine, and a refused send is retried later.
    request_queue_size = 128


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_two_prefect_workers_sweep_and_dispatch_the_same_due_work_once_each(
    postgres_migrated: str,
) -> None:
    _empty_postgres(postgres_migrated)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPA_", "PREFECT_"))}
    script = subprocess.Popen(
        [sys.executable, str(ROOT / "ops" / "scale_demo.py"), "--database-url",
         postgres_migrated, "--cases", str(CASES), "--sweep-batch", "1", "--no-ui", "--json",
         "--timeout", str(TIMEOUT)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        out, err = script.communicate(timeout=2 * TIMEOUT + 60)
    except subprocess.TimeoutExpired:
        script.send_signal(signal.SIGTERM)  # the script's own clean-up stops the rest
        out, err = script.communicate(timeout=60)
        pytest.fail(f"the scale demo did not finish in time: {err[-3000:]}")
    assert script.returncode == 0, f"{out[-3000:]}\n{err[-3000:]}"
    report = json.loads(out)
    check = report["check"]
    # Nothing lost, nothing twice: every due deadline escalated exactly once, the two sweep
    # runs' own counts add up to the due deadlines (no deadline acted on by both).
    assert check["escalations_queued"] == CASES
    assert check["deadlines_escalated_twice"] == 0
    assert check["deadline_levels"] == {"1": CASES}
    assert sum(run["escalations"] for run in report["sweep_runs"]) == CASES
    # Every notice (the case opened, the escalation) sent, one attempt each, and received.
    assert check["notices"] == {"sent": 2 * CASES}
    assert check["notices_sent_more_than_once"] == 0
    assert check["notices_not_received"] == 0
    assert check["audit_verify_exit"] == 0
    # Both workers ran flow runs, and every run completed.
    assert set(report["flow_runs"].values()) == {"COMPLETED"}
    assert all(count > 0 for count in report["runs_per_worker"].values())
    # Everything it started (server, workers and their flow runs) is stopped.
    assert report["process_groups"]
    assert not [pgid for pgid in report["process_groups"] if _alive(pgid)]


# --- the same, in plain OS processes, without Prefect ------------------------------------------

CAPA = str(Path(sys.executable).with_name("capa"))
AFTER_DUE = (T0 + timedelta(hours=25)).isoformat()


@pytest.fixture
def titles_received() -> Iterator[tuple[int, Counter[str]]]:
    """A real HTTP receiver on 127.0.0.1 (what Apprise's json:// posts to): its port, and
    how often each title arrived."""
    titles: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            with lock:
                titles[str(body.get("title", ""))] += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _Backlogged(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], titles
    server.shutdown()
    server.server_close()


def _capa(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPA_")}
    return subprocess.Popen([CAPA, *args, "--now", AFTER_DUE, "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(processes: list[subprocess.Popen[str]]) -> list[dict[str, object]]:
    documents = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        documents.append(json.loads(out))
    return documents


def test_two_sweeps_and_two_dispatchers_at_once_in_processes_lose_and_double_nothing(
    postgres_migrated: str, policy: DeadlinePolicy, tmp_path: Path,
    titles_received: tuple[int, Counter[str]],
) -> None:
    _empty_postgres(postgres_migrated)
    url = postgres_migrated
    port, titles = titles_received
    cases = 120
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="Acme", contact=f"json://127.0.0.1:{port}/acme",
                     quality_head=None, executive=None, now=T0)
        for n in range(cases):
            open_case(session, lifecycle="8d", title=f"Cracked housing {n}", supplier_code="ACME",
                      part="P", defect_code="D", severity="major", complex_cause=False,
                      owner="lena", team=None, problem=None, actor="lena", now=T0,
                      policy=policy)
    routes = tmp_path / "routes.toml"
    routes.write_text(f'[roles]\nquality_lead = ["json://127.0.0.1:{port}/lead"]\n'
                      f'quality_manager = ["json://127.0.0.1:{port}/manager"]\n'
                      f'[people]\nlena = ["json://127.0.0.1:{port}/lena"]\n')
    config = tmp_path / "site.toml"
    config.write_text("[dispatch]\nbatch_size = 5\n")  # small claims, so the two interleave
    sweep = ("sweep", "--db", url, "--batch-size", "5")
    dispatch = ("notify", "dispatch", "--db", url, "--routes", str(routes),
                "--config", str(config))
    # Two sweeps and two dispatchers at once, on the same due work; then two dispatchers
    # more, for what the sweeps queued after the first two had finished.
    first = _finish([_capa(*sweep), _capa(*dispatch), _capa(*sweep), _capa(*dispatch)])
    second = _finish([_capa(*dispatch), _capa(*dispatch)])
    # Every due deadline escalated by exactly one of the sweeps, once.
    assert sum(int(str(first[i]["escalations"])) for i in (0, 2)) == cases
    engine = get_engine(url)
    with Session(engine) as session:
        per_deadline = session.exec(
            select(func.count()).where(Notification.kind == "escalation")
            .group_by(col(Notification.deadline_id))).all()
        levels = session.exec(select(Deadline.escalation_level, func.count())
                              .where(Deadline.status == "pending")
                              .group_by(col(Deadline.escalation_level))).all()
        notices = session.exec(select(Notification)).all()
    assert sorted(per_deadline) == [1] * cases
    assert list(levels) == [(1, cases)]
    # Every notice sent once (one attempt each), by one of the dispatchers, and received.
    assert Counter(n.status for n in notices) == {"sent": 2 * cases}
    assert {n.attempts for n in notices} == {1}
    assert sum(int(str(d["sent"])) for d in (first[1], first[3], *second)) == 2 * cases
    wanted = Counter(n.subject for n in notices)
    assert not [s for s, c in wanted.items() if titles[s] < c]
    verify = subprocess.run([CAPA, "audit", "verify", "--db", url, "--json"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
