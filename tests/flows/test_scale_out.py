"""Scale out, proven (README "Running at scale"): a real Prefect server, the deployments of
prefect.yaml on a process work pool, and two real workers sweeping and dispatching the same
due work at once on PostgreSQL, through `ops/scale_demo.py` (`make scale-demo`) itself.

Skipped without CAPA_TEST_POSTGRES_URL, like every PostgreSQL test (CI sets it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _empty_postgres

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CASES = 300
# Bounded: the script waits at most TIMEOUT for its server and for each round of runs; the
# test gives it a little more, then stops it (SIGTERM), which stops all it started.
TIMEOUT = 90


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
         postgres_migrated, "--cases", str(CASES), "--sweep-batch", "2", "--no-ui", "--json",
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
