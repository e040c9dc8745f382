"""The REST API under load: 50 clients listing and showing cases among 100,000, for 30 s.

A migrated SQLite file is filled with plain sqlite3 `executemany`: 500 suppliers, `--cases`
8D cases spread over the open states (each with a supplier), one pending deadline and one
"open" audit event per case (the hash chain is not checked by reads), then a quality lead
and an API token made with `accounts` as `capa user add` and `capa token create` would.

The server is served by `serving.server.serve`, as `capa web` serves it: uvicorn with one worker
process per core by default (`--workers`), log level info, so with the access log. Each worker
builds the app of `asgi.create_site` (the API and the pages), plus one route the ceiling uses,
`GET /api/v1/bench/ping`: a plain `def` answering a fixed JSON document, with no session and
no token, so it goes through the same uvicorn, FastAPI and thread pool as the real routes and
nothing else. It runs in its own processes on 127.0.0.1.

The clients are this process: `--clients` keep-alive connections on one asyncio loop, each
sending its next request as soon as the last answer is read (closed loop), for `--seconds`,
after a short warm-up that is not counted. Each client asks `GET /api/v1/cases?state=S&limit=50`
(a random open state) with probability `--list-share`, else `GET /api/v1/cases/{random id}`.
The ceiling is the same clients for the same time against the ping route, in the same run.
Before the load, one client alone times each route (the service time without queueing).

    .venv/bin/python bench/api_load.py [--cases 100000] [--clients 50] [--seconds 30]
                                       [--workers N] [--list-share 0.25] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, and bench/transitions.py would
# hide the `transitions` library; the project root goes there instead.
_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_ROOT))

PREFIX = "/api/v1"
SUPPLIERS = 500
OPEN_STATES = ("containment", "root_cause", "short_term_fix", "long_term_countermeasure",
               "effectiveness_tracking")
OWNERS = ("lena", "omar", "mei", "jonas", "ana", "raj", "sofia", "tomas", "yuki", "kofi")
DEFECTS = ("CRACK", "BURR", "DIM", "SCRATCH", "POROSITY", "MISSING", "WRONG-PART", "RUST")
TARGET_P99_MS = 200.0
WARMUP_SECONDS = 2.0
PING_BODY = {"status": "ok", "service": "capaflow", "api": "v1"}


# --- the server (imported by uvicorn in its own process) ----------------------------------------


def server_app() -> Any:
    """What `capa web` serves (`asgi.create_site`: the API and the pages) from CAPA_* variables,
    plus the ceiling's trivial route."""
    from capaflow.asgi import create_site

    app = create_site()

    @app.get(f"{PREFIX}/bench/ping")
    def ping() -> dict[str, str]:
        return PING_BODY

    return app


# --- the data ------------------------------------------------------------------------------------


def _ts(value: datetime) -> str:
    """A UTC moment as SQLAlchemy stores a `UTCDateTime` on SQLite (models/types.py)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _supplier_of(i: int) -> int:
    return (i * 2654435761 >> 8) % SUPPLIERS + 1


def _opened(i: int, now: datetime) -> datetime:
    # Whole minutes over the last 90 days, so a few thousand distinct stamps.
    return now - timedelta(minutes=(i * 7919) % (90 * 24 * 60))


def _rows(cases: int, now: datetime) -> Iterator[tuple[tuple[Any, ...], ...]]:
    stamps: dict[datetime, str] = {}

    def stamp(value: datetime) -> str:
        text = stamps.get(value)
        if text is None:
            text = stamps[value] = _ts(value)
        return text

    for i in range(1, cases + 1):
        opened_at = _opened(i, now)
        opened, due = stamp(opened_at), stamp(opened_at + timedelta(days=1))
        defect = DEFECTS[i % len(DEFECTS)]
        state = OPEN_STATES[(i * 31) % len(OPEN_STATES)]
        title = f"{defect.lower()} on lot {i}"
        owner = OWNERS[i % len(OWNERS)]
        content = json.dumps({"problem": f"{title}, found at incoming inspection"})
        case = (i, "8d", state, title, _supplier_of(i), f"HX-{i % 2000:04d}", defect, "major",
                "general", owner, 1, 0, 1, content, f"{i * 2654435761:064x}", 1, 2, opened,
                opened, None, None)
        deadline = (i, i, state, f"{state.replace('_', ' ')} owed", 1, "open", 1,
                    '["contain"]', opened, due, "pending", due, 0, None, None, None, None, 0,
                    "obligation", None)
        fields = json.dumps({"title": title, "supplier": f"S{_supplier_of(i):04d}",
                             "part": f"HX-{i % 2000:04d}", "defect_code": defect,
                             "severity": "major", "owner": owner})
        event = (i, i, 1, opened, owner, "open", None, "containment", fields, None, "0" * 64,
                 f"{i * 2654435761:064x}")
        yield case, deadline, event


def build_database(path: Path, cases: int, password: str) -> str:
    """A migrated SQLite file with the cases, a quality lead and their token (returned)."""
    from capaflow.accounts import create_token
    from capaflow.accounts.users import add_user
    from capaflow.models.db import dispose_engines, get_engine, session_scope, upgrade

    url = f"sqlite:///{path}"
    upgrade(url)
    dispose_engines()
    now = datetime.now(UTC)
    rows = list(_rows(cases, now))
    created = _ts(now - timedelta(days=400))
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-400000"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO suppliers (id, code, name, contact_url, created_at) VALUES (?,?,?,?,?)",
            ((s, f"S{s:04d}", f"Supplier {s:04d} GmbH", f"json://127.0.0.1:9/s{s}", created)
             for s in range(1, SUPPLIERS + 1)))
        conn.executemany(
            "INSERT INTO cases (id, lifecycle, state, title, supplier_id, part, defect_code,"
            " severity, complexity, owner, cycle, reopen_count, occurrences, content, head_hash,"
            " event_count, version, opened_at, updated_at, closed_at, linked_case_id)"
            f" VALUES ({','.join('?' * 21)})", (r[0] for r in rows))
        conn.executemany(
            "INSERT INTO deadlines (id, case_id, key, title, sequence, started_by, started_seq,"
            " met_by, started_at, due_at, status, next_action_at, escalation_level, closed_at,"
            " met_on_time, closed_by_seq, hold_started_at, held_seconds, kind, reminded_at)"
            f" VALUES ({','.join('?' * 20)})", (r[1] for r in rows))
        conn.executemany(
            "INSERT INTO case_events (id, case_id, seq, at, actor, action, from_state, to_state,"
            f" fields, note, prev_hash, hash) VALUES ({','.join('?' * 12)})",
            (r[2] for r in rows))
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")  # as models.db sets it on every connection
        conn.execute("ANALYZE")
    engine = get_engine(url)
    with session_scope(engine) as session:
        add_user(session, name="bench.lead", role="quality_lead", password=password, now=now)
        _, token = create_token(session, user_name="bench.lead", label="api_load", now=now)
    dispose_engines()
    return token


# --- the server process --------------------------------------------------------------------------


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(path: Path, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """The server as `capa web` runs it (serving.server.serve: uvicorn, its worker processes and
    their protocol), serving server_app."""
    env = dict(os.environ, CAPA_DATABASE_URL=f"sqlite:///{path}")
    env.pop("CAPA_NOW", None)
    code = ("from capaflow.serving.server import serve; serve('bench.api_load:server_app', "
            f"host='127.0.0.1', port={port}, workers={workers})")
    command = [sys.executable, "-c", code]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=_ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with closing(socket.create_connection(("127.0.0.1", port), timeout=1)) as sock:
                sock.sendall(f"GET {PREFIX}/bench/ping HTTP/1.1\r\nHost: x\r\n"
                             "Connection: close\r\n\r\n".encode())
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("the server did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: uvicorn and its workers
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- the clients ---------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection, with just enough of the protocol for these answers
    (Content-Length bodies), so the client's own cost stays small beside the server's."""

    def __init__(self, port: int, token: str | None) -> None:
        self.port = port
        self.auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, int]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.auth}"
                          "Accept: application/json\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length)
        return status, len(body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def list_target(rng: random.Random) -> str:
    return f"{PREFIX}/cases?state={rng.choice(OPEN_STATES)}&limit=50"


def show_target(rng: random.Random, cases: int) -> str:
    return f"{PREFIX}/cases/{rng.randint(1, cases)}"


class Tally:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.first_error: str | None = None


async def _client(n: int, port: int, token: str | None, mix: list[tuple[str, Any]],
                  shares: list[float], warm_end: float, end: float, tally: Tally) -> None:
    rng = random.Random(n)
    conn = Connection(port, token)
    try:
        while True:
            route, target_of = rng.choices(mix, shares)[0]
            target = target_of(rng)
            started = time.perf_counter()
            if started >= end:
                return
            try:
                status, _ = await conn.get(target)
                error = None if status == 200 else f"{status} for {target}"
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                conn.close()
                error = f"{type(exc).__name__} for {target}: {exc}"
            elapsed = time.perf_counter() - started
            if started < warm_end:
                continue
            if error is not None:
                tally.errors[route] = tally.errors.get(route, 0) + 1
                tally.first_error = tally.first_error or error
            else:
                tally.latencies.setdefault(route, []).append(elapsed)
    finally:
        conn.close()


async def _load(port: int, token: str | None, mix: list[tuple[str, Any]], shares: list[float],
                clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    now = time.perf_counter()
    warm_end = now + WARMUP_SECONDS
    end = warm_end + seconds
    await asyncio.gather(*(_client(n, port, token, mix, shares, warm_end, end, tally)
                           for n in range(clients)))
    # Requests started before `end` are counted; the last ones finish a little after it.
    return tally, time.perf_counter() - warm_end


def load(port: int, token: str | None, mix: list[tuple[str, Any]], shares: list[float],
         clients: int, seconds: float) -> tuple[Tally, float]:
    return asyncio.run(_load(port, token, mix, shares, clients, seconds))


def _pct(sorted_values: list[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


def summary(tally: Tally, elapsed: float) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    routes = dict(tally.latencies)
    routes["all"] = [x for values in tally.latencies.values() for x in values]
    for route, values in routes.items():
        values = sorted(values)
        errors = (sum(tally.errors.values()) if route == "all" else tally.errors.get(route, 0))
        if not values:
            out[route] = {"requests": 0, "errors": errors}
            continue
        out[route] = {
            "requests": len(values), "rps": len(values) / elapsed,
            "p50": _pct(values, 0.50) * 1e3, "p90": _pct(values, 0.90) * 1e3,
            "p99": _pct(values, 0.99) * 1e3, "max": values[-1] * 1e3,
            "mean": statistics.fmean(values) * 1e3, "errors": errors,
        }
    return out


def single(port: int, token: str, cases: int, count: int = 200) -> dict[str, float]:
    """Median latency of each route with one client alone: the service time, no queueing."""
    rng = random.Random(7)
    routes = {"ping": lambda _rng: f"{PREFIX}/bench/ping", "list": list_target,
              "show": lambda r: show_target(r, cases)}

    async def run() -> dict[str, float]:
        conn = Connection(port, token)
        medians = {}
        for name, target_of in routes.items():
            times = []
            for _ in range(count):
                target = target_of(rng)
                started = time.perf_counter()
                status, _ = await conn.get(target)
                times.append(time.perf_counter() - started)
                if status != 200:
                    raise SystemExit(f"{target}: {status}")
            medians[name] = statistics.median(times) * 1e3
        conn.close()
        return medians

    return asyncio.run(run())


# --- where the time goes (in-process, the route functions without HTTP) --------------------------


def profile(path: Path, token: str, cases: int, requests: int = 2000) -> str:
    """cProfile of the dependencies and route functions a list or show runs, called directly
    (session, clock, token, route), in the mix of the load, on the same file."""
    os.environ["CAPA_DATABASE_URL"] = f"sqlite:///{path}"
    os.chdir(_ROOT)
    from capaflow.accounts import resolve_token
    from capaflow.api.routes.cases import list_cases_document, show_case_document
    from capaflow.caselists.filters import CONTRACT_LIST
    from capaflow.config import Settings
    from capaflow.models.db import session_scope
    from capaflow.serving.context import ApiContext

    ctx = ApiContext.start(Settings())
    rng = random.Random(3)

    def one(is_list: bool) -> None:
        with session_scope(ctx.engine) as session:
            now = ctx.now()
            # What get_principal does, without the event loop: the cache, else the database.
            principal = resolve_token(session, token=token, now=now)
            assert principal is not None
            if is_list:
                found = CONTRACT_LIST.with_(state=rng.choice(OPEN_STATES))
                list_cases_document(session, now, principal, found=found, supplier=None,
                                    limit=50)
            else:
                show_case_document(session, now, principal, rng.randint(1, cases))

    for _ in range(100):
        one(rng.random() < 0.5)
    timings = {}
    for is_list in (True, False):
        started = time.perf_counter()
        for _ in range(500):
            one(is_list)
        timings["list" if is_list else "show"] = (time.perf_counter() - started) / 500 * 1e3
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        one(rng.random() < 0.25)
    profiler.disable()
    out = io.StringIO()
    out.write(f"in-process, no HTTP: list {timings['list']:.2f} ms, show "
              f"{timings['show']:.2f} ms per call (session, token, route, commit)\n")
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    return out.getvalue()


# --- the run -------------------------------------------------------------------------------------


def _line(name: str, s: dict[str, float]) -> str:
    if not s.get("requests"):
        return f"  {name:<6} no answers, {s['errors']:.0f} errors"
    return (f"  {name:<6} {s['requests']:>8.0f} req {s['rps']:>8.1f} /s   p50 {s['p50']:7.1f}"
            f"  p90 {s['p90']:7.1f}  p99 {s['p99']:7.1f}  max {s['max']:7.1f} ms"
            f"   errors {s['errors']:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: as capa web, one per core)")
    parser.add_argument("--list-share", type=float, default=0.25,
                        help="share of list requests; the rest show one case")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile the route functions in-process (no load)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 0 <= args.list_share <= 1:
        parser.error("--list-share must be between 0 and 1")
    from capaflow.serving.server import default_workers

    workers: int = args.workers or default_workers()

    with tempfile.TemporaryDirectory(prefix="capa-api-load-") as tmp:
        path = Path(tmp) / "api.db"
        started = time.perf_counter()
        token = build_database(path, args.cases, password="bench-password-1")
        print(f"built {args.cases:,} cases in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)", flush=True)
        port = _free_port()
        server = start_server(path, port, workers, Path(tmp) / "server.log")
        try:
            alone = single(port, token, args.cases)
            print(f"one client alone, median: ping {alone['ping']:.2f} ms, list "
                  f"{alone['list']:.2f} ms, show {alone['show']:.2f} ms", flush=True)
            ping_mix = [("ping", lambda _rng: f"{PREFIX}/bench/ping")]
            tally, elapsed = load(port, None, ping_mix, [1.0], args.clients, args.seconds)
            ceiling = summary(tally, elapsed)
            ceiling_error = tally.first_error
            mix = [("list", list_target), ("show", lambda r: show_target(r, args.cases))]
            tally, elapsed = load(port, token, mix, [args.list_share, 1 - args.list_share],
                                  args.clients, args.seconds)
            api = summary(tally, elapsed)
            api_error = tally.first_error
        finally:
            stop_server(server)
        profiled = profile(path, token, args.cases) if args.profile else None

    if args.json:
        print(json.dumps({"ceiling": ceiling, "api": api, "alone_ms": alone}, indent=2))
    print(f"\n{args.clients} clients, {args.seconds:.0f} s each, {workers} worker(s), "
          f"{args.cases:,} cases, list share {args.list_share:.0%}")
    print("ceiling: GET /api/v1/bench/ping (same server, fixed JSON, no session, no token)")
    print(_line("ping", ceiling["ping"]))
    print("API: GET /api/v1/cases?state=S&limit=50 and GET /api/v1/cases/{id}")
    for route in ("list", "show", "all"):
        if route in api:
            print(_line(route, api[route]))
    total = api["all"]
    if total.get("requests") and ceiling["ping"].get("requests"):
        print(f"ceiling / API: {ceiling['ping']['rps'] / total['rps']:.1f}x requests per second")
        verdict = "met" if total["p99"] < TARGET_P99_MS else "NOT met"
        print(f"target p99 < {TARGET_P99_MS:.0f} ms: {verdict} (p99 {total['p99']:.1f} ms)")
    for name, error in (("ceiling", ceiling_error), ("API", api_error)):
        if error:
            print(f"{name}: first error: {error}")
    if profiled:
        print("\n" + profiled)
    if total.get("errors") or ceiling["ping"].get("errors"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
