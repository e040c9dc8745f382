"""The service desk at size on SQLite: one sweep tick, the monthly report, dispatch decisions.

A child process fills a migrated SQLite file with plain sqlite3 `executemany`, rows as the
engine would have written them: 1,000 customers, 500 service people in the desk's teams,
`--requests` service requests received over the 24 months before NOW, of which `--open` are
still open (the newest ids). Closed requests have both SLA clocks met (about 9 in 10 on time)
and, one in three, an answered follow-up; open ones have their first response met and their
resolution clock running, 10 % of them on hold; `--due` of the running ones (spread over the
table) are overdue, so one tick escalates each to level 1.

Figures, each beside a ceiling measured in the same run on a fresh copy of the same file:

- one sweep tick (`casework.sweep.sweep`) beside plain sqlite3 doing the same essential work
  (select the due rows by the index, one UPDATE and one notice INSERT each, per batch);
  measured at each `--open` size, to show it follows the rows due, not the open requests;
- the monthly report (`servicedesk.reports.service_report`, month before NOW's, with its
  12-month trend) beside the plain GROUP BYs of that one month (counts, clock outcomes);
- dispatch decisions per second (`servicedesk.dispatch.choose`) with 500 people, beside the
  one GROUP BY of open requests per person it needs, in plain sqlite3.

    .venv/bin/python bench/service.py [--requests 1000000] [--open 100000 1000000]
                                      [--due 10000] [--decisions 300] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path; the project root goes there.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
MONTH = "2026-11"  # the report's month: the one before NOW's
HISTORY_DAYS = 730
CUSTOMERS = 1000
PEOPLE = 500
TEAMS = {"field": ("installation", "repair"), "office": ("billing", "delivery"),
         "desk": ("general",)}
TIERS = ("key", "standard", "basic")
SEVERITIES = ("S1", "S2", "S3", "S4")
KINDS = ("inquiry", "request", "complaint", "claim")
CHANNELS = ("phone", "mail", "web", "portal", "api", "walk_in")
BATCH = 500
TARGET_SECONDS = 5.0


def _ts(value: datetime) -> str:
    """A UTC moment as SQLAlchemy stores a `UTCDateTime` on SQLite (models/types.py)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Stamps:
    """Stored forms of whole minutes before NOW, cached: formatting costs more than a row."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, minutes: int) -> str:
        stamp = self._cache.get(minutes)
        if stamp is None:
            stamp = self._cache[minutes] = _ts(NOW - timedelta(minutes=minutes))
        return stamp


def due_ids(first_open: int, requests: int, due: int) -> list[int]:
    """`due` ids spread evenly over the open ones (first_open..requests)."""
    count = requests - first_open + 1
    return [first_open + k * count // due for k in range(due)]


def _team_of(i: int) -> tuple[str, str]:
    team = ("field", "field", "office", "office", "desk")[i % 5]
    categories = TEAMS[team]
    return team, categories[i // 5 % len(categories)]


def _person(team: str, i: int) -> str:
    share = {"field": 250, "office": 150, "desk": 100}[team]
    return f"{team}-{(i * 7919) % share:03d}"


def generate(path: Path, requests: int, open_count: int, due: int) -> None:  # noqa: C901
    from capaflow.models.db import dispose_engines, upgrade

    upgrade(f"sqlite:///{path}")
    dispose_engines()
    first_open = requests - open_count + 1
    due_set = set(due_ids(first_open, requests, due))
    stamp = _Stamps()
    span = HISTORY_DAYS * 24 * 60

    def received(i: int) -> int:
        # Minutes before NOW; ids grow with time, open ones are the newest (the last 30 days).
        if i >= first_open:
            return (requests - i) * (30 * 24 * 60) // max(open_count, 1) + 60
        return 30 * 24 * 60 + (first_open - i) * (span - 30 * 24 * 60) // first_open

    def cases() -> Iterator[tuple[Any, ...]]:
        for i in range(1, requests + 1):
            team, category = _team_of(i)
            at = received(i)
            is_open = i >= first_open
            state = ("in_progress" if i % 10 else "dispatched") if is_open else "closed"
            held = "true" if is_open and i % 10 == 3 else "false"
            content = f'{{"team_lead": "{team}-lead", "on_hold": {held}}}'
            yield (i, "service", state, f"{category} request {i}", None, None, None,
                   SEVERITIES[i % 4], "general", _person(team, i), 1, 0, 1, content,
                   f"{i * 2654435761:064x}", 3, 3, stamp(at), stamp(at),
                   None if is_open else stamp(at - 3 * 24 * 60), None)

    def service_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(1, requests + 1):
            team, category = _team_of(i)
            at = received(i)
            is_open = i >= first_open
            yield (i, i % CUSTOMERS + 1, TIERS[i % 3], KINDS[(i * 31) % 17 % 4],
                   SEVERITIES[i % 4], category, team, CHANNELS[i % 6], None,
                   1 if is_open and i % 10 == 3 else 0, stamp(at), stamp(at - 30),
                   None if is_open else stamp(at - 2 * 24 * 60),
                   None if is_open else (1 if i % 3 == 0 else 0), None)

    def deadline_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(1, requests + 1):
            at = received(i)
            is_open = i >= first_open
            late = i % 11 == 0  # about 9 in 10 on time
            response_due = at - 60
            yield (2 * i - 1, i, "first_response", "First response", 1, "open", 1,
                   '["acknowledge", "resolve"]', stamp(at), stamp(response_due), "met", None,
                   0, stamp(at - 30 - (90 if late else 0)), 0 if late else 1, 2, None, 0,
                   "obligation", None)
            resolution_due = at - 2 * 24 * 60
            if not is_open:
                yield (2 * i, i, "resolution", "Resolution", 1, "open", 1, '["resolve"]',
                       stamp(at), stamp(resolution_due), "met", None, 0,
                       stamp(resolution_due + (-600 if late else 600)), 0 if late else 1, 3,
                       None, 0, "obligation", None)
            elif i in due_set:  # overdue 1 min to 100 min, reminded: level 1 is now due
                overdue = 1 + i % 100
                yield (2 * i, i, "resolution", "Resolution", 1, "open", 1, '["resolve"]',
                       stamp(at), stamp(overdue), "pending", stamp(overdue), 0, None, None,
                       None, None, 0, "obligation", stamp(overdue + 120))
            elif i % 10 == 3:  # on hold: no next action, the sweep leaves it
                yield (2 * i, i, "resolution", "Resolution", 1, "open", 1, '["resolve"]',
                       stamp(at), stamp(-600), "on_hold", None, 0, None, None, None,
                       stamp(at - 60), 0, "obligation", None)
            else:  # due later: the reminder 2 h before
                yield (2 * i, i, "resolution", "Resolution", 1, "open", 1, '["resolve"]',
                       stamp(at), stamp(-600 - i % 5000), "pending", stamp(-480 - i % 5000),
                       0, None, None, None, None, 0, "obligation", None)

    def follow_up_rows() -> Iterator[tuple[Any, ...]]:
        for n, i in enumerate(range(3, first_open, 3), start=1):
            sent = received(i) - 2 * 24 * 60
            answered = i % 4 != 0
            scores = (i % 5 + 1, i % 11, (i + 1) % 5 + 1, (i + 2) % 5 + 1, (i + 3) % 5 + 1,
                      (i + 4) % 5 + 1, i % 5 + 1) if answered else (None,) * 7
            yield (n, i, "survey", "answered" if answered else "sent", None, stamp(sent),
                   stamp(sent - 7 * 24 * 60), stamp(sent - 600) if answered else None,
                   "customer" if answered else None, 1 if answered else None, *scores, None,
                   0)

    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-400000"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN")
        created = _ts(NOW - timedelta(days=800))
        conn.executemany(
            "INSERT INTO customers (id, code, name, tier, contact_url, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((c, f"C{c:04d}", f"Customer {c}", TIERS[c % 3], None, created)
             for c in range(1, CUSTOMERS + 1)))
        people = []
        for team, size in (("field", 250), ("office", 150), ("desk", 100)):
            skills = json.dumps(list(TEAMS[team]))
            people += [(f"{team}-{k:03d}", team, skills, False, created) for k in range(size)]
            people.append((f"{team}-lead", team, skills, True, created))
        conn.executemany("INSERT INTO service_people (name, team, skills, lead, created_at)"
                         " VALUES (?, ?, ?, ?, ?)", people)
        conn.executemany(
            "INSERT INTO cases (id, lifecycle, state, title, supplier_id, part, defect_code,"
            " severity, complexity, owner, cycle, reopen_count, occurrences, content, head_hash,"
            " event_count, version, opened_at, updated_at, closed_at, linked_case_id)"
            f" VALUES ({','.join('?' * 21)})", cases())
        conn.executemany(
            "INSERT INTO service_requests (case_id, customer_id, tier, kind, severity,"
            " category, team, channel, dispatch_flag, on_hold, received_at, responded_at,"
            f" resolved_at, sampled, corrective_case_id) VALUES ({','.join('?' * 15)})",
            service_rows())
        conn.executemany(
            "INSERT INTO deadlines (id, case_id, key, title, sequence, started_by, started_seq,"
            " met_by, started_at, due_at, status, next_action_at, escalation_level, closed_at,"
            " met_on_time, closed_by_seq, hold_started_at, held_seconds, kind, reminded_at)"
            f" VALUES ({','.join('?' * 20)})", deadline_rows())
        conn.executemany(
            "INSERT INTO follow_ups (id, case_id, channel, status, token_digest, sent_at,"
            " expires_at, answered_at, answered_by, solved, overall, nps, reliability,"
            " assurance, tangibles, empathy, responsiveness, comment, low_score)"
            f" VALUES ({','.join('?' * 19)})", follow_up_rows())
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")


# --- the children ------------------------------------------------------------------------------


def _policies() -> Any:
    from capaflow.config import load_policies
    from capaflow.config.policies import validate_policies

    return validate_policies(load_policies())


def sweep_engine(path: Path) -> dict[str, Any]:
    from capaflow.casework.sweep import sweep
    from capaflow.deadlines.policy import load_policy
    from capaflow.models.db import get_engine

    policy = load_policy(_policies())
    engine = get_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    report = sweep(engine, now=NOW, policy=policy, batch_size=BATCH)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"seconds": elapsed, "escalations": report.escalations,
            "reminders": report.reminders}


def sweep_raw(path: Path) -> dict[str, Any]:
    now = _ts(NOW)
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    handled = 0
    while True:
        conn.execute("BEGIN")
        rows = conn.execute(
            "SELECT d.id, d.case_id, d.title, d.due_at, d.next_action_at, c.title, c.state,"
            " c.owner FROM deadlines d JOIN cases c ON c.id = d.case_id"
            " WHERE d.status = 'pending' AND d.next_action_at <= ?"
            " ORDER BY d.next_action_at, d.id LIMIT ?", (now, BATCH)).fetchall()
        if not rows:
            conn.execute("COMMIT")
            break
        moves, notices = [], []
        for d, case, title, due_at, next_action, case_title, state, owner in rows:
            later = _ts(datetime.fromisoformat(due_at).replace(tzinfo=UTC) + timedelta(hours=2))
            moves.append((later, d, next_action))
            notices.append((f"deadline:{d}:level:1", case, d,
                            f"[capaflow] #{case}: OVERDUE level 1: {title}",
                            f"Overdue: {title} was due {due_at[:16]} UTC.\nRequest #{case}:"
                            f" {case_title}\nState: {state}; owner: {owner}", now, now))
        conn.executemany("UPDATE deadlines SET escalation_level = 1, next_action_at = ?"
                         " WHERE id = ? AND status = 'pending' AND next_action_at = ?", moves)
        conn.executemany(
            "INSERT INTO notifications (dedupe_key, case_id, deadline_id, kind,"
            " escalation_level, audience, subject, body, extra, status, attempts, created_at,"
            " next_attempt_at) VALUES (?, ?, ?, 'escalation', 1, '[\"owner\", \"team_lead\"]',"
            " ?, ?, '{}', 'pending', 0, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING", notices)
        conn.execute("COMMIT")
        handled += len(rows)
    elapsed = time.perf_counter() - started
    conn.close()
    return {"seconds": elapsed, "handled": handled}


def report_engine(path: Path) -> dict[str, Any]:
    from capaflow.models.db import get_engine, session_scope
    from capaflow.scorecards.months import bounds
    from capaflow.servicedesk.reports import service_report

    zone = _zone()
    engine = get_engine(f"sqlite:///{path}")
    bounds(MONTH, zone)  # warm the zone data outside the clock
    started = time.perf_counter()
    with session_scope(engine) as session:
        report = service_report(session, month=MONTH, now=NOW, zone=zone)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"seconds": elapsed, "received": report.received,
            "clocks": sum(a.counted for a in report.attainment),
            "answered": report.satisfaction.answered, "breaches": report.breaches_total}


def _zone() -> Any:
    from capaflow.deadlines.policy import load_policy

    return load_policy(_policies()).calendar.zone


def report_raw(path: Path) -> dict[str, Any]:
    from capaflow.scorecards.months import bounds

    start, end = (_ts(b) for b in bounds(MONTH, _zone()))
    now = _ts(NOW)
    started = time.perf_counter()
    with closing(sqlite3.connect(path)) as conn:
        counts = conn.execute(
            "SELECT kind, channel, tier, severity, count(*) FROM service_requests"
            " WHERE received_at >= ? AND received_at < ? GROUP BY 1, 2, 3, 4",
            (start, end)).fetchall()
        clocks = conn.execute(
            "SELECT d.key, r.tier, r.severity, r.team,"
            " sum(d.status = 'met' AND d.met_on_time = 1),"
            " sum((d.status = 'met' AND d.met_on_time = 0) OR (d.status = 'pending' AND"
            " d.due_at < ?) OR (d.status = 'on_hold' AND d.hold_started_at > d.due_at))"
            " FROM deadlines d JOIN service_requests r ON r.case_id = d.case_id"
            " WHERE d.key IN ('first_response', 'resolution') AND d.due_at >= ?"
            " AND d.due_at < ? GROUP BY 1, 2, 3, 4", (now, start, end)).fetchall()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "received": sum(r[4] for r in counts),
            "clocks": sum(r[4] + r[5] for r in clocks)}


def dispatch_engine(path: Path, decisions: int) -> dict[str, Any]:
    from capaflow.models.db import get_engine, session_scope
    from capaflow.servicedesk.dispatch import choose
    from capaflow.servicedesk.policy import load_desk

    desk = load_desk(_policies())
    engine = get_engine(f"sqlite:///{path}")
    categories = [c for cs in TEAMS.values() for c in cs]
    started = time.perf_counter()
    with session_scope(engine) as session:
        for n in range(decisions):
            choose(session, desk, category=categories[n % len(categories)],
                   tier=TIERS[n % 3], now=NOW)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"seconds": elapsed, "per_second": decisions / elapsed}


def dispatch_raw(path: Path, decisions: int) -> dict[str, Any]:
    with closing(sqlite3.connect(path)) as conn:
        teams = {team: [r[0] for r in conn.execute(
            "SELECT name FROM service_people WHERE team = ?", (team,))] for team in TEAMS}
        order = list(TEAMS)
        started = time.perf_counter()
        for n in range(decisions):
            names = teams[order[n % len(order)]]
            rows = conn.execute(
                "SELECT owner, count(*) FROM cases WHERE lifecycle = 'service' AND state IN"
                " ('received', 'dispatched', 'in_progress', 'resolved', 'follow_up') AND"
                f" owner IN ({','.join('?' * len(names))}) GROUP BY owner", names).fetchall()
            load = dict(rows)
            min(names, key=lambda p: (load.get(p, 0), p))
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "per_second": decisions / elapsed}


def child(args: argparse.Namespace) -> dict[str, Any]:
    path = args.db
    if args.child == "generate":
        started = time.perf_counter()
        generate(path, args.requests, args.open[0], args.due)
        return {"seconds": time.perf_counter() - started}
    if args.child == "sweep":
        return sweep_engine(path)
    if args.child == "sweep-raw":
        return sweep_raw(path)
    if args.child == "report":
        return report_engine(path)
    if args.child == "report-raw":
        return report_raw(path)
    if args.child == "dispatch":
        return dispatch_engine(path, args.decisions)
    return dispatch_raw(path, args.decisions)


# --- the run ------------------------------------------------------------------------------------


def run_child(mode: str, path: Path, *options: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--db",
               str(path), *options]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {mode} child failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fresh(pristine: Path, work: Path) -> Path:
    _remove(work)
    shutil.copyfile(pristine, work)
    os.sync()
    return work


def measure(tmp: Path, open_count: int, args: argparse.Namespace,
            full: bool) -> dict[str, Any]:
    requests = max(args.requests, open_count)
    pristine, work = tmp / f"generated-{open_count}.db", tmp / "work.db"
    options = ["--requests", str(requests), "--open", str(open_count), "--due", str(args.due)]
    result: dict[str, Any] = {"requests": requests, "open": open_count,
                              "generated": run_child("generate", pristine, *options)["seconds"],
                              "size_mb": pristine.stat().st_size / 2**20}
    engine = run_child("sweep", _fresh(pristine, work))
    if engine["escalations"] != args.due or engine["reminders"] != 0:
        raise SystemExit(f"CHECK FAILED: the sweep reported {engine}")
    raw = run_child("sweep-raw", _fresh(pristine, work))
    if raw["handled"] != args.due:
        raise SystemExit(f"CHECK FAILED: the ceiling handled {raw}")
    result["sweep"], result["sweep_raw"] = engine, raw
    if full:
        report = run_child("report", _fresh(pristine, work))
        report_ceiling = run_child("report-raw", work)
        if (report["received"], report["clocks"]) != (report_ceiling["received"],
                                                      report_ceiling["clocks"]):
            raise SystemExit(f"CHECK FAILED: report {report} vs GROUP BY {report_ceiling}")
        result["report"], result["report_raw"] = report, report_ceiling
        decisions = ["--decisions", str(args.decisions)]
        result["dispatch"] = run_child("dispatch", work, *decisions)
        result["dispatch_raw"] = run_child("dispatch-raw", work, *decisions)
    _remove(work)
    _remove(pristine)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="open requests per sweep run; the report and dispatch run on"
                        " the first")
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--quick", action="store_true",
                        help="100,000 requests, 10,000 and 100,000 open, 1,000 due")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args)))
        return
    if args.quick:
        args.requests, args.open, args.due = 100_000, [10_000, 100_000], 1_000
    if any(n < args.due for n in args.open) or args.due < 1:
        parser.error("--due must be at least 1 and at most every --open")
    run_started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="capa-service-bench-") as tmp:
        for k, open_count in enumerate(args.open):
            result = measure(Path(tmp), open_count, args, full=k == 0)
            results.append(result)
            print(f"{result['requests']:>9,} requests, {open_count:,} open, {args.due:,} due:"
                  f" generated in {result['generated']:.0f} s ({result['size_mb']:,.0f} MB),"
                  " checks passed", flush=True)
    print()
    print(f"one sweep tick (batches of {BATCH}), target < {TARGET_SECONDS:.0f} s")
    print(f"{'requests':>10} {'open':>10} {'due':>7} {'sweep':>8} {'ceiling':>8} {'ratio':>6}")
    for r in results:
        s, c = r["sweep"]["seconds"], r["sweep_raw"]["seconds"]
        print(f"{r['requests']:>10,} {r['open']:>10,} {args.due:>7,} {s:>6.2f} s {c:>6.2f} s"
              f" {s / c:>5.1f}x")
    if len(results) > 1:
        times = [r["sweep"]["seconds"] for r in results]
        print(f"slowest / fastest tick: {max(times) / min(times):.2f}x across"
              f" {max(args.open) / min(args.open):.0f}x the open requests")
    first = results[0]
    rep, raw = first["report"], first["report_raw"]
    print()
    print(f"monthly report {MONTH} over {first['requests']:,} requests (with its 12-month"
          f" trend): {rep['seconds']:.2f} s; plain GROUP BY ceiling (that month only)"
          f" {raw['seconds']:.2f} s; ratio {rep['seconds'] / raw['seconds']:.1f}x;"
          f" target < {TARGET_SECONDS:.0f} s")
    print(f"  {rep['received']:,} received, {rep['clocks']:,} clocks counted,"
          f" {rep['breaches']:,} breached, {rep['answered']:,} follow-ups answered")
    d, dr = first["dispatch"], first["dispatch_raw"]
    print(f"dispatch decisions with {PEOPLE} people and {first['open']:,} open:"
          f" {d['per_second']:,.0f} /s; ceiling (the load GROUP BY alone)"
          f" {dr['per_second']:,.0f} /s")
    print(f"whole run: {time.perf_counter() - run_started:.0f} s")


if __name__ == "__main__":
    main()
