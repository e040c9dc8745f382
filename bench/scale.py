"""Sweep and dispatch throughput with one and with two workers on PostgreSQL, side by side,
beside the raw write rate of the same server.

A template database gets `--cases` 8D cases opened through the engine (`open_case`): each has
one containment deadline, overdue at NOW (the sweep escalates it: one UPDATE, one notice), and
one pending "case opened" notice (dispatch sends it). Every measurement runs on a fresh copy
of the template (`CREATE DATABASE … TEMPLATE`).

A "worker" here is a plain process running the function the flow runs (`casework.sweep.sweep`,
`notifications.dispatch.dispatch`), not a Prefect flow run: a flow run costs seconds of process
start and API calls (`make scale-demo` shows them), which would swamp a figure of a few
seconds. The workers are started, import, connect, and then wait at a barrier; the clock runs
from the release to the last one done. Dispatch sends through `AppriseNotifier` to a local HTTP
receiver in its own process ("Apprise"), and with the recording fake ("fake": the database
side alone).

The ceiling is raw psycopg on the same server, one and two processes: single-row UPDATEs, each
committed on its own with `synchronous_commit = off` (what marking a notice costs at the
least, as dispatch marks it), and UPDATEs committed in batches of 500 (what a sweep batch
costs at the least).

    .venv/bin/python bench/scale.py [--cases 6000] [--rounds 3]
        [--admin-url postgresql+psycopg://capa:capa@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path; the project root goes there.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = OPENED + timedelta(hours=25)
TEMPLATE = "capa_bench_scale_tpl"
RUN = "capa_bench_scale_run"
SPAWN = multiprocessing.get_context("spawn")


# --- the receiver, in its own process ----------------------------------------------------------


class _Backlogged(ThreadingHTTPServer):
    # Dispatchers send concurrently ([dispatch] concurrency each): socketserver's listen
    # backlog of 5 refuses connections on a busy machine, and a refused send is retried later.
    request_queue_size = 128


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(pipe: Connection) -> None:
    server = _Backlogged(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    pipe.send(server.server_address[1])
    server.serve_forever()


# --- databases ---------------------------------------------------------------------------------


def _admin(admin_url: str) -> Any:
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")


def _url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _recreate(admin_url: str, name: str, template: str | None = None) -> str:
    admin = _admin(admin_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    admin.dispose()
    return _url(admin_url, name)


def _drop(admin_url: str, name: str) -> None:
    admin = _admin(admin_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _seed(url: str, cases: int, port: int) -> None:
    from capaflow.casework.engine import open_case
    from capaflow.config import load_policies
    from capaflow.deadlines.policy import load_policy
    from capaflow.models.db import dispose_engines, get_engine, session_scope, upgrade
    from capaflow.suppliers.registry import add_supplier

    upgrade(url)
    policy = load_policy(load_policies())
    engine = get_engine(url)
    with session_scope(engine) as session:
        add_supplier(session, code="ACME", name="Acme Castings",
                     contact=f"json://127.0.0.1:{port}/acme", quality_head=None,
                     executive=None, now=OPENED)
    for start in range(0, cases, 500):
        with session_scope(engine) as session:
            for n in range(start, min(cases, start + 500)):
                open_case(session, lifecycle="8d", title=f"Cracked housing, lot {n}",
                          supplier_code="ACME", part="P-100", defect_code="CRACK",
                          severity="major", complex_cause=False, owner="lena", team=None,
                          problem=None, actor="lena", now=OPENED, policy=policy)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    dispose_engines()


# --- the workers -------------------------------------------------------------------------------


def _sweep_worker(url: str, ready: Connection, go: Event, done: Connection) -> None:
    from capaflow.casework.sweep import sweep, sweep_settings
    from capaflow.config import load_policies
    from capaflow.deadlines.policy import load_policy
    from capaflow.models.db import get_engine

    policies = load_policies()
    policy, settings = load_policy(policies), sweep_settings(policies)
    engine = get_engine(url)
    with engine.connect() as conn:  # connected before the clock starts
        conn.execute(text("SELECT 1"))
    ready.send(True)
    go.wait()
    report = sweep(engine, now=NOW, policy=policy, batch_size=settings.batch_size,
                   actor=settings.actor)
    done.send((time.perf_counter(), report.escalations))


def _dispatch_worker(url: str, port: int, fake: bool, ready: Connection, go: Event,
                     done: Connection) -> None:
    from sqlmodel import Session

    from capaflow.config import load_policies
    from capaflow.models.db import get_engine
    from capaflow.notifications.dispatch import dispatch, dispatch_policy
    from capaflow.notifications.notifier import AppriseNotifier, Notifier, RecordingNotifier
    from capaflow.notifications.routing import Routes

    policy = dispatch_policy(load_policies())
    routes = Routes(roles={"quality_lead": (f"json://127.0.0.1:{port}/lead",)},
                    people={"lena": (f"json://127.0.0.1:{port}/people/lena",)},
                    source="bench")
    notifier: Notifier = RecordingNotifier() if fake else AppriseNotifier()
    engine = get_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    ready.send(True)
    go.wait()
    with Session(engine) as session:
        report = dispatch(session, now=NOW, notifier=notifier, routes=routes,
                          max_attempts=policy.max_attempts,
                          backoff_seconds=policy.backoff_seconds, batch_size=policy.batch_size)
    done.send((time.perf_counter(), report.sent))


def _raw_worker(url: str, ids: list[int], per_commit: int, ready: Connection, go: Event,
                done: Connection) -> None:
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        ready.send(True)
        go.wait()
        with conn.cursor() as cur:
            for n, row in enumerate(ids, 1):
                if per_commit == 1:  # as dispatch marks a notice (asynchronous commit)
                    cur.execute("SET LOCAL synchronous_commit = off")
                cur.execute("UPDATE notifications SET attempts = attempts + 1 WHERE id = %s",
                            (row,))
                if n % per_commit == 0:
                    conn.commit()
            conn.commit()
    done.send((time.perf_counter(), len(ids)))


def _timed(target: Any, argsets: list[tuple[Any, ...]]) -> tuple[float, int]:
    """Start one process per argument set, release them together; (seconds, items done)."""
    go = SPAWN.Event()
    pipes, processes = [], []
    for args in argsets:
        ready_r, ready_w = SPAWN.Pipe(duplex=False)
        done_r, done_w = SPAWN.Pipe(duplex=False)
        process = SPAWN.Process(target=target, args=(*args, ready_w, go, done_w))
        process.start()
        pipes.append((ready_r, done_r))
        processes.append(process)
    for ready_r, _ in pipes:
        ready_r.recv()
    started = time.perf_counter()
    go.set()
    results = [done_r.recv() for _, done_r in pipes]
    for process in processes:
        process.join()
    return max(at for at, _ in results) - started, sum(n for _, n in results)


# --- the measurements --------------------------------------------------------------------------


def measure(admin_url: str, cases: int, port: int) -> dict[str, float]:
    rates: dict[str, float] = {}
    for workers in (1, 2):
        url = _recreate(admin_url, RUN, TEMPLATE)
        seconds, done = _timed(_sweep_worker, [(url,)] * workers)
        assert done == cases, ("sweep", workers, done)
        rates[f"sweep {workers}"] = done / seconds
        for fake in (False, True):
            url = _recreate(admin_url, RUN, TEMPLATE)
            seconds, done = _timed(_dispatch_worker, [(url, port, fake)] * workers)
            assert done == cases, ("dispatch", workers, fake, done)
            rates[f"dispatch{' fake' if fake else ''} {workers}"] = done / seconds
        for per_commit in (1, 500):
            url = _recreate(admin_url, RUN, TEMPLATE)
            ids = list(range(1, cases + 1))
            seconds, done = _timed(_raw_worker, [
                (url, ids[w::workers], per_commit) for w in range(workers)])
            rates[f"raw {per_commit} {workers}"] = done / seconds
    return rates


ROWS = [
    ("sweep", "sweep", "deadlines escalated /s"),
    ("dispatch", "dispatch", "notices sent through Apprise /s"),
    ("dispatch fake", "dispatch fake", "notices marked, no send /s"),
    ("raw 1", "ceiling: UPDATE + async COMMIT", "rows /s"),
    ("raw 500", "ceiling: UPDATEs, COMMIT per 500", "rows /s"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--admin-url",
                        default="postgresql+psycopg://capa:capa@127.0.0.1:5432/postgres")
    options = parser.parse_args()

    receiver_r, receiver_w = SPAWN.Pipe(duplex=False)
    receiver = SPAWN.Process(target=_serve, args=(receiver_w,), daemon=True)
    receiver.start()
    port = receiver_r.recv()
    started = time.perf_counter()
    _seed(_recreate(options.admin_url, TEMPLATE), options.cases, port)
    print(f"template: {options.cases} cases, each one deadline due and one notice pending "
          f"({time.perf_counter() - started:.1f} s)")
    rounds = []
    try:
        for n in range(options.rounds):
            rates = measure(options.admin_url, options.cases, port)
            rounds.append(rates)
            print(f"round {n + 1}: " + ", ".join(f"{k} {v:,.0f}" for k, v in rates.items()),
                  flush=True)
    finally:
        _drop(options.admin_url, RUN)
        _drop(options.admin_url, TEMPLATE)
        receiver.terminate()
    print()
    print("| what | 1 worker | 2 workers | 2 / 1 | unit |")
    print("| --- | ---: | ---: | ---: | --- |")
    for key, label, unit in ROWS:
        one = [r[f"{key} 1"] for r in rounds]
        two = [r[f"{key} 2"] for r in rounds]
        ratios = [b / a for a, b in zip(one, two, strict=True)]
        print(f"| {label} | {statistics.median(one):,.0f} ({min(one):,.0f}–{max(one):,.0f}) "
              f"| {statistics.median(two):,.0f} ({min(two):,.0f}–{max(two):,.0f}) "
              f"| {statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}) "
              f"| {unit} |")


if __name__ == "__main__":
    main()
