"""Notices dispatched per second through Apprise to a local HTTP receiver, beside the ceiling.

10,000 notices are queued (pending, due now, audience "owner"; the owners are routed to the
receiver by a json:// URL), then one `dispatch` run sends them all through `AppriseNotifier`:
claim in batches, resolve recipients, POST, mark each notice sent in its own transaction.

The ceiling: the same receiver, the same JSON document Apprise posts (same size), sent with
plain sequential `http.client` POSTs over one keep-alive connection, no database.

Two more figures say where the time goes: the same dispatch with the recording fake instead
of Apprise (the database side alone), and AppriseNotifier alone, without the database.

The receiver runs in its own process, as a real webhook would: in this process it would take
the GIL from the sender it is measuring.

    .venv/bin/python bench/dispatch.py [--notices 10000] [--batch-size 200] [--concurrency 8]
                                       [--db URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path and this file, named
# dispatch.py, could hide a module of that name; the project root goes there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from sqlalchemy import Table, func, insert, select, text  # noqa: E402

from capaflow.models import Case, Notification  # noqa: E402
from capaflow.models.db import dispose_engines, get_engine, session_scope, upgrade  # noqa: E402
from capaflow.notifications.dispatch import dispatch  # noqa: E402
from capaflow.notifications.notifier import AppriseNotifier, Notifier, RecordingNotifier  # noqa: E402
from capaflow.notifications.routing import Routes  # noqa: E402

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OWNERS = 20
CASES: Table = Case.__table__  # type: ignore[attr-defined]
NOTICES: Table = Notification.__table__  # type: ignore[attr-defined]
SUBJECT = "[capaflow] #{case} ACME: D3 emergency containment due in 2 h"
BODY = (
    "Case #{case}: Cracked housing on lot 4711\n"
    "Supplier: Acme Castings (ACME); part HX-220; defect CRACK\n"
    "State: containment; owner: {owner}\n"
    "Owed: D3 emergency containment, due 2026-03-02 11:00 UTC (in 2 h)\n"
    "Reply in capaflow: capa case advance {case} contain --field containment=..."
)


# --- the receiver, in its own process ----------------------------------------------------------


class _Backlogged(ThreadingHTTPServer):
    # Dispatchers send concurrently ([dispatch] concurrency each): socketserver's listen
    # backlog of 5 refuses connections on a busy machine, and a refused send is retried later.
    request_queue_size = 128


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for the ceiling's single connection
    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).received += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        payload = str(type(self).received).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_DELETE(self) -> None:
        type(self).received = 0
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


def _ask(port: int, method: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, "/count")
    answer = conn.getresponse().read().decode()
    conn.close()
    return answer


# --- the measurements --------------------------------------------------------------------------


def _queue(url: str, notices: int) -> None:
    engine = get_engine(url)
    with session_scope(engine) as session:
        cases = [
            {"lifecycle": "8d", "state": "containment", "title": f"Cracked housing {i}",
             "owner": f"owner{i % OWNERS}", "severity": "major", "complexity": "general",
             "cycle": 1, "reopen_count": 0, "occurrences": 1, "content": {}, "head_hash": "",
             "event_count": 0, "version": 1, "opened_at": T0, "updated_at": T0}
            for i in range(100)
        ]
        session.connection().execute(insert(CASES), cases)
        ids = list(session.connection().execute(select(CASES.c.id)).scalars())
        rows = []
        for n in range(notices):
            case = ids[n % len(ids)]
            owner = f"owner{(case - 1) % OWNERS}"
            rows.append({
                "dedupe_key": f"bench:{n}", "case_id": case, "deadline_id": None,
                "kind": "reminder", "escalation_level": 0, "audience": ["owner"],
                "subject": SUBJECT.format(case=case), "body": BODY.format(case=case, owner=owner),
                "extra": {}, "status": "pending", "attempts": 0, "created_at": T0,
                "next_attempt_at": T0, "sent_at": None, "last_error": None,
            })
        session.connection().execute(insert(NOTICES), rows)


def _fresh_db(url: str | None, workdir: Path, name: str) -> str:
    if url is None:
        url = f"sqlite:///{workdir / name}"
        upgrade(url)
        return url
    upgrade(url)
    with get_engine(url).begin() as conn:
        conn.execute(text("TRUNCATE notifications, cases RESTART IDENTITY CASCADE"))
    return url


def dispatch_rate(
    url: str, notices: int, batch_size: int, notifier: Notifier, routes: Routes,
    concurrency: int,
) -> tuple[float, int]:
    _queue(url, notices)
    started = time.perf_counter()
    with session_scope(get_engine(url)) as session:
        report = dispatch(session, now=T0, notifier=notifier, routes=routes, max_attempts=5,
                          backoff_seconds=30, batch_size=batch_size,
                          # Left out at 1, so this bench also runs against a commit from
                          # before the pool (the before/after of bench/RESULTS.md).
                          **({"concurrency": concurrency} if concurrency != 1 else {}))
    elapsed = time.perf_counter() - started
    with session_scope(get_engine(url)) as session:
        sent = session.connection().execute(
            select(func.count()).where(NOTICES.c.status == "sent")
        ).scalar_one()
    assert report.sent == notices == sent, (report.sent, report.retried, report.failed, sent)
    return notices / elapsed, report.sent


def apprise_rate(port: int, notices: int) -> float:
    notifier = AppriseNotifier()
    target = [f"json://127.0.0.1:{port}/people/owner0"]
    subject, body = SUBJECT.format(case=1), BODY.format(case=1, owner="owner0")
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(notices):
        assert notifier.send(subject, body, target).ok
    elapsed = time.perf_counter() - started
    # How much of a send is this process's own CPU (requests, a new connection each time)
    # rather than waiting on the receiver: threads can overlap only the waiting, not the CPU
    # (one GIL).
    APPRISE_CPU_SHARE.append((time.process_time() - cpu) / elapsed)
    return notices / elapsed


APPRISE_CPU_SHARE: list[float] = []


def ceiling_rate(port: int, notices: int) -> float:
    """Plain keep-alive POSTs of the document Apprise's json:// plugin sends."""
    payload = json.dumps({
        "version": "1.0", "title": SUBJECT.format(case=1),
        "message": BODY.format(case=1, owner="owner0"), "attachments": [], "type": "info",
    }).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Apprise"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    for _ in range(notices):
        conn.request("POST", "/people/owner0", payload, headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    elapsed = time.perf_counter() - started
    conn.close()
    return notices / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8,
                        help="sends of a batch in flight at once ([dispatch] concurrency)")
    parser.add_argument("--db", default=None,
                        help="database URL (default: a fresh SQLite file per measurement); "
                             "a PostgreSQL database is emptied of cases and notices first")
    args = parser.parse_args()

    parent, child = multiprocessing.get_context("spawn").Pipe()
    receiver = multiprocessing.get_context("spawn").Process(target=_serve, args=(child,),
                                                            daemon=True)
    receiver.start()
    port: int = parent.recv()
    routes = Routes(people={f"owner{i}": (f"json://127.0.0.1:{port}/people/owner{i}",)
                            for i in range(OWNERS)}, source="bench")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            ceiling = ceiling_rate(port, args.notices)
            alone = apprise_rate(port, args.notices)
            _ask(port, "DELETE")
            url = _fresh_db(args.db, workdir, "apprise.db")
            rate, sent = dispatch_rate(url, args.notices, args.batch_size, AppriseNotifier(),
                                       routes, args.concurrency)
            arrived = int(_ask(port, "GET"))
            dispose_engines()
            url = _fresh_db(args.db, workdir, "fake.db")
            fake, _ = dispatch_rate(url, args.notices, args.batch_size, RecordingNotifier(),
                                    routes, args.concurrency)
            dispose_engines()
    finally:
        receiver.terminate()
    assert arrived == sent, f"{sent} marked sent but {arrived} arrived"
    backend = "SQLite" if args.db is None else args.db.split(":", 1)[0]
    print(json.dumps({
        "notices": args.notices,
        "batch_size": args.batch_size,
        "concurrency": args.concurrency,
        "database": backend,
        "dispatch_apprise_per_s": round(rate),
        "ceiling_keepalive_post_per_s": round(ceiling),
        "ceiling_over_dispatch": round(ceiling / rate, 1),
        "apprise_alone_per_s": round(alone),
        "apprise_alone_cpu_share": round(APPRISE_CPU_SHARE[-1], 2),
        "dispatch_recording_fake_per_s": round(fake),
        "arrived_at_receiver": arrived,
        "target_per_s": 1000,
    }, indent=2))


if __name__ == "__main__":
    main()
