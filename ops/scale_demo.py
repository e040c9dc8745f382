"""`make scale-demo`: the scale-out set-up of README "Running at scale", started, used and
stopped by one command.

It starts PostgreSQL (if it is not running), makes its own database (`capa_scale`), starts a
Prefect server (its own PREFECT_HOME in a temporary folder, a free local port), creates the
process work pool `capaflow`, deploys `prefect.yaml` (`prefect deploy --all`) and starts two
workers. It seeds due work (8D cases whose containment deadline is overdue, and their
"case opened" notices, addressed to an HTTP receiver this script runs), runs the sweep and
dispatch deployments on both workers at once (`prefect deployment run`), waits (bounded),
prints what happened and checks it: every due deadline escalated exactly once, every notice
sent and received, the audit chain intact (`capa audit verify`). Everything it started is
stopped on the way out, on success, failure, Ctrl-C or SIGTERM.

Runs offline: the server's UI is served from the installed package, telemetry is off.
Exit 0 when every check holds, 1 when one fails, 2 when the set-up could not start.

    python ops/scale_demo.py [--cases 300] [--database-url URL] [--keep-database] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CAPA = str(Path(PYTHON).with_name("capa"))
ADMIN_URL = "postgresql+psycopg://capa:capa@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "capa_scale"
# The cases are opened at OPENED; the workers run at NOW, an hour past the 24 h containment
# deadline, so each open case has exactly one deadline to escalate (level 1).
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = OPENED + timedelta(hours=25)
WORKERS = ("worker-a", "worker-b")
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class _Backlogged(ThreadingHTTPServer):
    # Dispatchers send concurrently ([dispatch] concurrency each): socketserver's listen
    # backlog of 5 refuses connections on a busy machine, and a refused send is retried later.
    request_queue_size = 128


class SetupFailed(Exception):
    """Something the demo needs did not start (exit 2)."""


@dataclass
class Receiver:
    """The local HTTP receiver every json:// route of the demo points at."""

    port: int = 0
    titles: Counter[str] = field(default_factory=Counter)
    posts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path}"


@contextlib.contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            with receiver.lock:
                receiver.posts += 1
                receiver.titles[str(body.get("title", ""))] += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _Backlogged(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Processes:
    """The long-running processes the demo starts, each in its own process group, so that
    stopping one stops what it spawned too (a worker's flow runs, the server's uvicorn)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.pids: list[int] = []  # every process group it started, for the report

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append((name, process))
        self.pids.append(process.pid)
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        # Workers first, then the server: a worker stopped after its server logs errors.
        for _name, process in reversed(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, process in reversed(self.started):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.started.clear()


def run(args: list[str], env: dict[str, str], what: str, timeout: float = 120) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise SetupFailed(f"{what} failed ({done.returncode}): "
                          f"{(done.stderr or done.stdout).strip()[-2000:]}")
    return done.stdout


def ensure_postgres() -> None:
    """Start Debian's cluster when nothing answers on 127.0.0.1:5432 (.ci/run does the same)."""
    def ready() -> bool:
        return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"],
                              check=False).returncode == 0

    if shutil.which("pg_isready") is None:
        return
    if ready():
        ensure_role()
        return
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: [
        int(x) if x.isdigit() else 0 for x in p.name.split(".")])
    if not versions:
        raise SetupFailed("PostgreSQL is not installed (apt-get install postgresql)")
    subprocess.run(["pg_ctlcluster", versions[-1].name, "main", "start"], check=False)
    for _ in range(30):
        if ready():
            ensure_role()
            return
        time.sleep(1)
    raise SetupFailed("PostgreSQL did not answer on 127.0.0.1:5432 within 30 s")


def ensure_role() -> None:
    """The `capa` login the demo connects as (password `capa`), made as .ci/run makes it when
    this runs as root on a machine whose cluster does not have it yet."""
    found = subprocess.run(
        ["su", "postgres", "-c", "psql -tAc \"select 1 from pg_roles where rolname='capa'\""],
        capture_output=True, text=True, check=False)
    if found.returncode == 0 and found.stdout.strip() != "1":
        subprocess.run(["su", "postgres", "-c",
                        "psql -q -c \"create user capa password 'capa' superuser\""],
                       check=False)


def fresh_database(name: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    from capaflow.models.db import dispose_engines

    dispose_engines()
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, cases: int, receiver: Receiver) -> None:
    """Open `cases` 8D cases at OPENED through the engine, as `capa case open` would: each
    with its containment deadline (overdue at NOW) and its "case opened" notice (pending)."""
    from capaflow.casework.engine import open_case
    from capaflow.config import load_policies
    from capaflow.deadlines.policy import load_policy
    from capaflow.models.db import get_engine, session_scope
    from capaflow.suppliers.registry import add_supplier

    policy = load_policy(load_policies())
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="ACME", name="Acme Castings",
                     contact=receiver.url("acme/contact"), quality_head=None,
                     executive=None, now=OPENED)
        for n in range(cases):
            open_case(
                session, lifecycle="8d", title=f"Cracked housing, lot {n + 1}",
                supplier_code="ACME", part="P-100", defect_code="CRACK", severity="major",
                complex_cause=False, owner="lena", team=None, problem=None, actor="lena",
                now=OPENED, policy=policy,
            )


def site_files(folder: Path, receiver: Receiver, batch: int) -> tuple[Path, Path]:
    routes = folder / "routes.toml"
    routes.write_text(
        "[roles]\n"
        f'quality_lead = ["{receiver.url("quality-lead")}"]\n'
        f'quality_manager = ["{receiver.url("quality-manager")}"]\n'
        "[people]\n"
        f'lena = ["{receiver.url("people/lena")}"]\n'
    )
    # Small dispatch batches, so the two dispatchers interleave their claims.
    config = folder / "site.toml"
    config.write_text(f"[dispatch]\nbatch_size = {batch}\n")
    return routes, config


def wait_healthy(api_url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupFailed("the Prefect server exited at start")
        with contextlib.suppress(OSError), \
                urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.5)
    raise SetupFailed(f"the Prefect server was not healthy within {timeout:.0f} s")


def trigger(deployment: str, params: dict[str, Any]) -> str:
    """`prefect deployment run DEPLOYMENT`, through the same client call in this process
    (a CLI process per run would cost seconds of imports each on a busy machine)."""
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    flow_run = run_deployment(name=deployment, parameters=params, timeout=0)
    assert isinstance(flow_run, FlowRun)  # sync-compatible: called from sync code, not a coroutine
    return str(flow_run.id)


def wait_runs(run_ids: list[str], timeout: float) -> dict[str, str]:
    """Each flow run's final state, polled through the API (bounded by `timeout`)."""
    from uuid import UUID

    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            for run_id in run_ids:
                state = client.read_flow_run(UUID(run_id)).state
                states[run_id] = state.type.value if state else "NONE"
            if all(s in FINAL for s in states.values()):
                return states
            time.sleep(1)
    raise SetupFailed(f"flow runs not finished within {timeout:.0f} s: {states}")


def runs_per_worker(processes: Processes, run_ids: list[str]) -> dict[str, int]:
    """Flow runs each worker started: both may try to take a run, and the server lets one
    (the other's log says "Aborted submission")."""
    found: dict[str, int] = {}
    for worker in WORKERS:
        text = processes.log(worker)
        found[worker] = sum(
            1 for i in run_ids
            if f"submitting flow run '{i}'" in text
            and f"Aborted submission of flow run '{i}'" not in text
        )
    return found


def wait_workers(timeout: float) -> None:
    """Until both workers have said hello to the server: runs triggered before would all go
    to whichever worker started first."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            online = {w.name for w in client.read_workers_for_work_pool("capaflow")
                      if w.status is not None and w.status.value == "ONLINE"}
            if online >= set(WORKERS):
                return
            time.sleep(0.5)
    raise SetupFailed(f"the workers did not come online within {timeout:.0f} s")


def swept_counts(run_ids: list[str]) -> list[dict[str, int]]:
    """What each sweep run reported it did, from its log line "swept at ...: {...}": the
    runs' escalations add up to the due deadlines only if no deadline was taken twice."""
    import ast
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(
            any_=[UUID(i) for i in run_ids])))
    counts = []
    for log in logs:
        if log.message.startswith("swept at "):
            counts.append(ast.literal_eval(log.message.split(": ", 1)[1]))
    return counts


def check(url: str, cases: int, receiver: Receiver, env: dict[str, str]) -> dict[str, Any]:
    """What a quality manager would ask after the run, read from the database."""
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from capaflow.models import Deadline, Notification
    from capaflow.models.db import get_engine

    with Session(get_engine(url)) as session:
        escalations = session.exec(
            select(Notification.deadline_id, func.count()).where(
                Notification.kind == "escalation").group_by(col(Notification.deadline_id))
        ).all()
        levels = dict(session.exec(
            select(Deadline.escalation_level, func.count())
            .where(Deadline.status == "pending")
            .group_by(col(Deadline.escalation_level))).all())
        notices = session.exec(select(Notification)).all()
    statuses = Counter(n.status for n in notices)
    resent = sum(1 for n in notices if n.attempts != 1)
    wanted = Counter(n.subject for n in notices)
    missing = {s: c for s, c in wanted.items() if receiver.titles[s] < c}
    verify = subprocess.run([CAPA, "audit", "verify", "--db", url, "--json"], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    result: dict[str, Any] = {
        "cases": cases,
        "escalations_queued": len(escalations),
        "deadlines_escalated_twice": sum(1 for _, c in escalations if c != 1),
        "deadline_levels": {str(k): v for k, v in levels.items()},
        "notices": dict(statuses),
        "notices_sent_more_than_once": resent,
        "notices_not_received": len(missing),
        "posts_received": receiver.posts,
        "audit_verify_exit": verify.returncode,
        "audit_verify": verify.stdout.strip(),
    }
    result["ok"] = (
        len(escalations) == cases and result["deadlines_escalated_twice"] == 0
        and levels == {1: cases} and statuses == Counter({"sent": 2 * cases})
        and not missing and verify.returncode == 0 and resent == 0
    )
    return result


def demo(options: argparse.Namespace) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="capa-scale-"))
    processes = Processes(home)
    url = options.database_url
    made_database = False

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    report: dict[str, Any] = {"logs": str(home)}
    try:
        with receiving() as receiver:
            if url is None:
                ensure_postgres()
                url = fresh_database(DEFAULT_DATABASE)
                made_database = True
            report["database"] = url.split("@")[-1]
            routes, config = site_files(home, receiver, options.dispatch_batch)
            port = free_port()
            api_url = f"http://127.0.0.1:{port}/api"
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("CAPA_", "PREFECT_"))}
            env.update({
                "PREFECT_HOME": str(home / "prefect"),
                "PREFECT_API_URL": api_url,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1",
                # The demo triggers its runs itself: the crons of prefect.yaml stay quiet.
                "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
                # Services this demo has no use for, off to spare the two cores.
                "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
                "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
                "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
                "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
                "PREFECT_WORKER_QUERY_SECONDS": "1",
                "PREFECT_LOGGING_LEVEL": "INFO",
                "CAPAFLOW_HOME": str(ROOT),
                "CAPA_DATABASE_URL": url,
                "CAPA_NOW": NOW.isoformat(),
                "CAPA_ROUTES": str(routes),
                "CAPA_CONFIG": str(config),
            })
            # This process triggers and watches the runs through the same server.
            for name in [k for k in os.environ if k.startswith("PREFECT_")]:
                del os.environ[name]
            os.environ.update({k: v for k, v in env.items() if k.startswith("PREFECT_")})
            started = time.monotonic()
            # The server boots (its own migrations) while the database is made and seeded.
            server = processes.start(
                "server", [PYTHON, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                           "--port", str(port), *(["--no-ui"] if options.no_ui else [])], env)
            run([CAPA, "db", "upgrade", "--db", url], env, "capa db upgrade")
            seed(url, options.cases, receiver)
            wait_healthy(api_url, server, options.timeout)
            run([PYTHON, "-m", "prefect", "work-pool", "create", "capaflow",
                 "--type", "process"], env, "prefect work-pool create")
            for worker in WORKERS:
                # Two runs at a time each: four runs at once spread over both.
                processes.start(worker, [PYTHON, "-m", "prefect", "worker", "start",
                                         "--pool", "capaflow", "--name", worker,
                                         "--limit", "2"], env)
            run([PYTHON, "-m", "prefect", "--no-prompt", "deploy", "--all"], env,
                "prefect deploy --all")
            wait_workers(options.timeout)
            report["setup_seconds"] = round(time.monotonic() - started, 1)
            started = time.monotonic()
            # Round 1: two sweeps and two dispatches at once, on the same due work.
            sweep_params = {"batch_size": options.sweep_batch}
            first = [trigger("deadline-sweep/sweep", sweep_params),
                     trigger("notice-dispatch/dispatch", {}),
                     trigger("deadline-sweep/sweep", sweep_params),
                     trigger("notice-dispatch/dispatch", {})]
            states = wait_runs(first, options.timeout)
            # Round 2: two dispatches for what the sweeps queued after round 1's dispatches.
            second = [trigger("notice-dispatch/dispatch", {}),
                      trigger("notice-dispatch/dispatch", {})]
            states.update(wait_runs(second, options.timeout))
            report["run_seconds"] = round(time.monotonic() - started, 1)
            report["flow_runs"] = states
            report["runs_per_worker"] = runs_per_worker(processes, first + second)
            report["check"] = check(url, options.cases, receiver, env)
            sweeps = swept_counts([first[0], first[2]])
            report["sweep_runs"] = sweeps
            report["ok"] = (report["check"]["ok"] and len(sweeps) == 2
                            and sum(c["escalations"] for c in sweeps) == options.cases
                            and all(s == "COMPLETED" for s in states.values()))
    finally:
        processes.stop_all()
        report["process_groups"] = processes.pids
        if made_database and url is not None and not options.keep_database:
            drop_database(url)
        if report.get("ok") and not options.keep_logs:
            shutil.rmtree(home, ignore_errors=True)
            report.pop("logs")
    return report


def show(report: dict[str, Any]) -> None:
    check_ = report["check"]
    lines = [
        f"database            {report['database']}",
        f"set-up              {report['setup_seconds']} s (server, pool, deploy, 2 workers)",
        f"runs                {report['run_seconds']} s, "
        + ", ".join(f"{w}: {n} flow runs" for w, n in report["runs_per_worker"].items()),
        f"flow run states     {dict(Counter(report['flow_runs'].values()))}",
        "sweep runs          " + ", ".join(
            f"{c['escalations']} escalations" for c in report["sweep_runs"]),
        f"due deadlines       {check_['cases']}, escalated once each: "
        f"{check_['escalations_queued']} (twice: {check_['deadlines_escalated_twice']})",
        f"notices             {check_['notices']}, sent more than once "
        f"{check_['notices_sent_more_than_once']}, posts received {check_['posts_received']},"
        f" not received {check_['notices_not_received']}",
        f"capa audit verify   exit {check_['audit_verify_exit']}",
        "OK" if report["ok"] else "FAILED: see above" + (
            f"; logs in {report['logs']}" if "logs" in report else ""),
    ]
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300, help="open cases, each one due")
    parser.add_argument("--database-url", help="an existing empty PostgreSQL database "
                        f"(default: start PostgreSQL, make {DEFAULT_DATABASE})")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--keep-logs", action="store_true")
    # Batches of one deadline: the two sweeps take turns row by row, so both take part.
    parser.add_argument("--sweep-batch", type=int, default=1)
    parser.add_argument("--dispatch-batch", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=180,
                        help="seconds to wait for the server, and for each round of runs")
    parser.add_argument("--no-ui", action="store_true", help="serve the API only (the test)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    options = parser.parse_args(argv)
    try:
        report = demo(options)
    except SetupFailed as failure:
        print(f"scale-demo: {failure}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("scale-demo: interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    if options.json:
        print(json.dumps(report, indent=2))
    else:
        show(report)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
