"""One sweep tick over many open cases on SQLite: its time and memory follow the rows due.

For each size a child process fills a migrated SQLite file with plain sqlite3 `executemany`,
rows in id order with the indexes in place, as the engine would have written them: suppliers,
open 8D cases in containment (each with a supplier), one pending containment deadline per case
(kind "obligation") and the case's "case moved" notice, already sent. Most deadlines have their
next action in the future (the reminder 2 h before the 24 h containment is due or, once
reminded, the due time); `--due` of them, spread evenly over the table (`--clustered`: the
oldest, stored together), are overdue by 1 min to 47 h, so one tick escalates each to level 1.
Each tick runs on a fresh copy of that file, so the sweep and the ceiling start from the same
rows; each runs `--repeat` times, interleaved, and the medians are shown (the machine is noisy).

The tick runs in a fresh child process (this script with `--child engine`), so the memory of
the generation does not count: it loads the policies and creates the engine, reads its RSS
(baseline), runs `deadlines.sweep.sweep` once and reads `ru_maxrss` (peak).

The ceiling does the same essential work with plain sqlite3, in a child of its own, on the copy:
select the due rows by the index (joined with their case and supplier, which the notice names),
one conditional UPDATE of each deadline and one INSERT of a notice each, one transaction per
batch of the same size, with the pragmas of models/db.py.

After each tick the parent checks that exactly `--due` escalation notices (level 1) exist, one
per due deadline, that each due deadline moved to level 1 with its next action at the next
level, and that no other deadline changed (a digest of every other row, before and after).

    .venv/bin/python bench/sweep.py [--cases 1000000 100000] [--due 10000] [--clustered]
                                    [--batch-size 500] [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import resource
import shutil
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

# Run as a script, this file's folder comes first on sys.path and this file, named sweep.py,
# could hide a module of that name; the project root goes there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the tick's `now`
BATCH = 500  # config/default.toml [sweep] batch_size
SUPPLIERS = 500
OWNERS = ("lena", "omar", "mei", "jonas", "ana", "raj", "sofia", "tomas", "yuki", "kofi")
DEFECTS = ("CRACK", "BURR", "DIM", "SCRATCH", "POROSITY", "MISSING", "WRONG-PART", "RUST")
CONTAIN_HOURS = 24  # deadlines.8d.containment.due
REMIND_HOURS = 22  # reminders: 2 h before a deadline shorter than 3 days
LEVEL_2 = timedelta(days=2)  # escalation.ladder level 2 `after`
TARGET_SECONDS = 5.0
TARGET_MB = 300.0


def _ts(value: datetime) -> str:
    """A UTC moment as SQLAlchemy stores a `UTCDateTime` on SQLite (models/types.py)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def due_ids(cases: int, due: int, clustered: bool = False) -> list[int]:
    """`due` case ids spread evenly over 1..cases, or the first `due` ones when clustered (a
    deadline's id is its case's id)."""
    if clustered:
        return list(range(1, due + 1))
    return [k * cases // due + 1 for k in range(due)]


# --- generation --------------------------------------------------------------------------------


class _Stamps:
    """Stored forms of whole minutes before NOW: the rows share a few thousand distinct moments,
    and formatting a datetime costs more than building the row around it."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, minutes_before_now: int) -> str:
        stamp = self._cache.get(minutes_before_now)
        if stamp is None:
            stamp = _ts(NOW - timedelta(minutes=minutes_before_now))
            self._cache[minutes_before_now] = stamp
        return stamp


def _opened(i: int, late: dict[int, int]) -> int:
    """Minutes since case `i` was opened: overdue ones 24 h + their lateness, others < 24 h."""
    lateness = late.get(i)
    if lateness is not None:
        return CONTAIN_HOURS * 60 + lateness
    return (i * 7919) % (CONTAIN_HOURS * 60)


def _supplier_of(i: int) -> int:
    """Case `i`'s supplier, scattered (a plain i % SUPPLIERS would give the evenly spread due
    cases only a handful of suppliers)."""
    return (i * 2654435761 >> 8) % SUPPLIERS + 1


def _supplier_rows() -> Iterator[tuple[Any, ...]]:
    created = _ts(NOW - timedelta(days=400))
    for s in range(1, SUPPLIERS + 1):
        yield (s, f"S{s:04d}", f"Supplier {s:04d} GmbH", f"json://127.0.0.1:9/s{s}/contact",
               f"json://127.0.0.1:9/s{s}/quality", f"json://127.0.0.1:9/s{s}/exec", created)


def _case_rows(cases: int, late: dict[int, int]) -> Iterator[tuple[Any, ...]]:
    stamp = _Stamps()
    for i in range(1, cases + 1):
        opened = stamp(_opened(i, late))
        defect = DEFECTS[i % len(DEFECTS)]
        yield (i, "8d", "containment", f"{defect.lower()} on lot {i}", _supplier_of(i),
               f"HX-{i % 2000:04d}", defect, "major", "general", OWNERS[i % len(OWNERS)], 1, 0,
               1, "{}", f"{i * 2654435761:064x}", 1, 2, opened, opened, None, None)


def _deadline_rows(cases: int, late: dict[int, int]) -> Iterator[tuple[Any, ...]]:
    stamp = _Stamps()
    for i in range(1, cases + 1):
        opened = _opened(i, late)
        due_at = opened - CONTAIN_HOURS * 60
        remind_at = opened - REMIND_HOURS * 60
        if remind_at >= 0:  # reminded already: the next action is the due time
            reminded, next_action = stamp(remind_at), stamp(due_at)
        else:
            reminded, next_action = None, stamp(remind_at)
        yield (i, i, "containment", "D3 emergency containment", 1, "open", 1, '["contain"]',
               stamp(opened), stamp(due_at), "pending", next_action, 0, None, None, None, None,
               0, "obligation", reminded)


def _notice_rows(cases: int, late: dict[int, int]) -> Iterator[tuple[Any, ...]]:
    stamp = _Stamps()
    for i in range(1, cases + 1):
        opened = _opened(i, late)
        at, due_at = stamp(opened), stamp(opened - CONTAIN_HOURS * 60)
        defect = DEFECTS[i % len(DEFECTS)]
        body = (f"Case #{i} (S{_supplier_of(i):04d}): {defect.lower()} on lot {i}\n"
                f"Step: open by {OWNERS[i % len(OWNERS)]} at {at}\nState: containment\n"
                f"Part HX-{i % 2000:04d}, defect {defect}\n"
                f"Now owed:\n  - D3 emergency containment: due {due_at}")
        yield (i, f"case:{i}:event:1:moved", i, None, "case_moved", 0,
               '["owner", "supplier_contact"]',
               f"[capaflow] Case #{i} containment: {defect.lower()} on lot {i}", body, "{}",
               "sent", 1, at, at, at, None)


def generate(path: Path, cases: int, due: int, clustered: bool) -> None:
    """A migrated file with `cases` open cases, `due` of them due (run in a child process)."""
    from capaflow.models.db import dispose_engines, upgrade

    url = f"sqlite:///{path}"
    upgrade(url)
    dispose_engines()
    # Lateness in minutes, 1 min to 47 h: past level 1 (at the due time), before level 2 (2 d).
    late = {i: 1 + (k * 997) % (47 * 60 - 1) for k, i in enumerate(due_ids(cases, due, clustered))}
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-400000"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO suppliers (id, code, name, contact_url, quality_head_url,"
            " executive_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", _supplier_rows())
        conn.executemany(
            "INSERT INTO cases (id, lifecycle, state, title, supplier_id, part, defect_code,"
            " severity, complexity, owner, cycle, reopen_count, occurrences, content, head_hash,"
            " event_count, version, opened_at, updated_at, closed_at, linked_case_id)"
            f" VALUES ({','.join('?' * 21)})", _case_rows(cases, late))
        conn.executemany(
            "INSERT INTO deadlines (id, case_id, key, title, sequence, started_by, started_seq,"
            " met_by, started_at, due_at, status, next_action_at, escalation_level, closed_at,"
            " met_on_time, closed_by_seq, hold_started_at, held_seconds, kind, reminded_at)"
            f" VALUES ({','.join('?' * 20)})", _deadline_rows(cases, late))
        conn.executemany(
            "INSERT INTO notifications (id, dedupe_key, case_id, deadline_id, kind,"
            " escalation_level, audience, subject, body, extra, status, attempts, created_at,"
            " next_attempt_at, sent_at, last_error)"
            f" VALUES ({','.join('?' * 16)})", _notice_rows(cases, late))
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")  # as models.db sets it on every connection


# --- the checks ---------------------------------------------------------------------------------


def digest_others(path: Path, due: set[int]) -> str:
    """A digest of every deadline row outside the due set, all columns."""
    digest = hashlib.blake2b(digest_size=16)
    with closing(sqlite3.connect(path)) as conn:
        for row in conn.execute("SELECT * FROM deadlines ORDER BY id"):
            if row[0] not in due:
                digest.update(repr(row).encode())
    return digest.hexdigest()


def verify(path: Path, cases: int, due: list[int], before: str) -> None:
    """Exactly one level-1 escalation per due deadline, each moved on, nothing else touched."""
    problems: list[str] = []
    with closing(sqlite3.connect(path)) as conn:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM notifications GROUP BY kind"))
        if kinds != {"case_moved": cases, "escalation": len(due)}:
            problems.append(f"notices by kind: {kinds}")
        noticed = conn.execute(
            "SELECT deadline_id, escalation_level, dedupe_key FROM notifications"
            " WHERE kind = 'escalation'").fetchall()
        if sorted(d for d, _, _ in noticed) != due:
            problems.append("the escalation notices are not one per due deadline")
        if any(level != 1 or key != f"deadline:{d}:level:1" for d, level, key in noticed):
            problems.append("an escalation notice is not level 1")
        moved = conn.execute(
            "SELECT id, due_at, next_action_at, escalation_level, status FROM deadlines"
            " WHERE escalation_level != 0 OR status != 'pending'").fetchall()
        if sorted(r[0] for r in moved) != due:
            problems.append(f"{len(moved)} deadlines escalated or closed, {len(due)} due")
        for d, due_at, next_action, level, status in moved:
            if (level, status) != (1, "pending") or next_action != _ts(_parse(due_at) + LEVEL_2):
                problems.append(f"deadline {d}: level {level}, {status}, next {next_action}")
                break
    if digest_others(path, set(due)) != before:
        problems.append("a deadline outside the due set was changed")
    if problems:
        raise SystemExit(f"CHECK FAILED on {path.name}: " + "; ".join(problems))


# --- the children: generation and each tick in a process of its own --------------------------
# On Linux a process's ru_maxrss keeps the peak of the address space it replaced at exec, and a
# forked child starts with a copy of its parent's: a tick child started by a parent that had
# generated a million rows would report the parent's peak (it did: 533 MB at every size). So
# the parent stays small: it imports only the standard library, and the generation, which holds
# a 400 MB page cache, runs in a child too. The tick also reads VmHWM, the peak of its own
# address space, as a cross-check.


def _status_mb(field: str) -> float | None:
    """A memory field of /proc/self/status (Linux), in MB."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _io() -> dict[str, int]:
    """This process's I/O counters (Linux /proc/self/io): read calls, bytes written, ..."""
    try:
        lines = Path("/proc/self/io").read_text().splitlines()
    except OSError:
        return {}
    return {name: int(value) for name, value in (line.split(": ") for line in lines)}


def _io_since(before: dict[str, int]) -> dict[str, int]:
    return {name: value - before.get(name, 0) for name, value in _io().items()}


def tick_engine(path: Path, batch_size: int, profile: bool) -> dict[str, Any]:
    """One tick through the real sweep; what a sweep worker holds before it is the baseline."""
    from capaflow.casework.sweep import sweep
    from capaflow.config import load_policies
    from capaflow.deadlines.policy import load_policy
    from capaflow.models.db import get_engine

    policy = load_policy(load_policies())
    engine = get_engine(f"sqlite:///{path}")
    baseline, baseline_peak = _status_mb("VmRSS"), _peak_mb()
    profiler = cProfile.Profile() if profile else None
    io_before = _io()
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    report = sweep(engine, now=NOW, policy=policy, batch_size=batch_size)
    if profiler is not None:
        profiler.disable()
    elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu
    io_used = _io_since(io_before)
    peak, hwm = _peak_mb(), _status_mb("VmHWM")
    engine.dispose()
    result: dict[str, Any] = {
        "seconds": elapsed, "cpu": cpu_used, "peak_mb": peak, "hwm_mb": hwm,
        "baseline_mb": baseline,
        "baseline_peak_mb": baseline_peak, "escalations": report.escalations,
        "reminders": report.reminders, "batches": report.batches, "io": io_used,
    }
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        result["profile"] = out.getvalue()
    return result


def tick_raw(path: Path, batch_size: int) -> dict[str, Any]:
    """The ceiling: the same due rows escalated with plain sqlite3, batch by batch."""
    now = _ts(NOW)
    io_before = _io()
    started, cpu = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                   "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    handled = 0
    while True:
        conn.execute("BEGIN")
        rows = conn.execute(
            "SELECT d.id, d.case_id, d.title, d.due_at, d.next_action_at, c.title, c.part,"
            " c.defect_code, c.state, c.owner, s.name, s.code"
            " FROM deadlines d JOIN cases c ON c.id = d.case_id"
            " LEFT JOIN suppliers s ON s.id = c.supplier_id"
            " WHERE d.status = 'pending' AND d.next_action_at <= ?"
            " ORDER BY d.next_action_at, d.id LIMIT ?", (now, batch_size)).fetchall()
        if not rows:
            conn.execute("COMMIT")
            break
        moves, notices = [], []
        for (d, case, title, due_at, next_action, case_title, part, defect, state, owner,
             name, code) in rows:
            due = _parse(due_at)
            moves.append((_ts(due + LEVEL_2), d, next_action))
            subject = f"[capaflow] #{case} {code}: OVERDUE level 1: {title}"
            body = (f"Overdue: {title} was due {due_at[:16]} UTC.\n"
                    f"Escalation level 1, to: owner, supplier contact.\n"
                    f"Case #{case}: {case_title}\nSupplier: {name} ({code}); part {part};"
                    f" defect {defect}\nState: {state}; owner: {owner}")
            notices.append((f"deadline:{d}:level:1", case, d, subject, body, now, now))
        conn.executemany(
            "UPDATE deadlines SET escalation_level = 1, next_action_at = ?"
            " WHERE id = ? AND status = 'pending' AND next_action_at = ?", moves)
        conn.executemany(
            "INSERT INTO notifications (dedupe_key, case_id, deadline_id, kind,"
            " escalation_level, audience, subject, body, extra, status, attempts, created_at,"
            " next_attempt_at) VALUES (?, ?, ?, 'escalation', 1,"
            " '[\"owner\", \"supplier_contact\"]', ?, ?, '{}', 'pending', 0, ?, ?)"
            " ON CONFLICT (dedupe_key) DO NOTHING", notices)
        conn.execute("COMMIT")
        handled += len(rows)
    elapsed, io_used = time.perf_counter() - started, _io_since(io_before)
    cpu_used = time.process_time() - cpu
    conn.close()  # after the clock, as the engine's tick is timed before engine.dispose()
    return {"seconds": elapsed, "cpu": cpu_used, "io": io_used, "peak_mb": _peak_mb(),
            "handled": handled}


def run_child(mode: str, path: Path, *options: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--db", str(path),
               *options]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {mode} child failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --- the run --------------------------------------------------------------------------------


def _tick(mode: str, pristine: Path, work: Path, options: list[str]) -> dict[str, Any]:
    """One tick of `mode` on a fresh copy of the generated file."""
    shutil.copyfile(pristine, work)
    # The kernel would otherwise still be writing the copy back while the tick runs, and the
    # tick's checkpoints would wait for the disk.
    os.sync()
    result = run_child(mode, work, *options)
    return result


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def measure(
    tmp: Path, cases: int, due: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Generate once, then `--repeat` times: the sweep's tick and the ceiling's, each on a fresh
    copy and checked."""
    pristine, work = tmp / f"generated-{cases}.db", tmp / f"tick-{cases}.db"
    layout = ["--clustered"] if args.clustered else []
    generated = run_child("generate", pristine, "--cases", str(cases), "--due", str(due),
                          *layout)["seconds"]
    ids = due_ids(cases, due, args.clustered)
    before = digest_others(pristine, set(ids))
    batch = ["--batch-size", str(args.batch_size)]
    engines, raws = [], []
    for n in range(args.repeat):
        profile = ["--profile"] if args.profile and n == 0 else []
        engine = _tick("engine", pristine, work, batch + profile)
        if engine["escalations"] != due or engine["reminders"] != 0:
            raise SystemExit(f"CHECK FAILED: the sweep reported {engine}")
        verify(work, cases, ids, before)
        _remove(work)
        engines.append(engine)
        raws.append(_tick("raw", pristine, work, batch))
        verify(work, cases, ids, before)
        _remove(work)
    size_mb = pristine.stat().st_size / 2**20
    _remove(pristine)
    return {"cases": cases, "due": due, "generated": generated, "size_mb": size_mb,
            "engine": engines, "raw": raws}


def child(mode: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    if mode == "generate":
        started = time.perf_counter()
        generate(path, args.cases[0], args.due, args.clustered)
        return {"seconds": time.perf_counter() - started}
    if mode == "engine":
        return tick_engine(path, args.batch_size, args.profile)
    return tick_raw(path, args.batch_size)



def _print_results(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print()
    print(f"one sweep tick, batches of {args.batch_size}, due rows"
          f" {'clustered' if args.clustered else 'spread over the tables'}; times are medians"
          f" of {args.repeat}{' (profiled: the first is inflated)' if args.profile else ''}")
    print(f"{'open cases':>10} {'due':>7} {'sweep':>8} {'peak RSS':>9} {'baseline':>9}"
          f" {'tick adds':>9} {'ceiling':>8} {'ratio':>6}")
    for r in results:
        engines, raws = r["engine"], r["raw"]
        sweep_s = statistics.median(e["seconds"] for e in engines)
        raw_s = statistics.median(e["seconds"] for e in raws)
        peak = max(e["peak_mb"] for e in engines)
        baseline = statistics.median(e["baseline_mb"] for e in engines)
        r["sweep_s"] = sweep_s
        print(f"{r['cases']:>10,} {r['due']:>7,} {sweep_s:>6.2f} s {peak:>6.0f} MB"
              f" {baseline:>6.0f} MB {peak - baseline:>6.0f} MB {raw_s:>6.2f} s"
              f" {sweep_s / raw_s:>5.1f}x")
    for r in results:
        runs = ", ".join(f"{e['seconds']:.2f}" for e in r["engine"])
        ceilings = ", ".join(f"{e['seconds']:.2f}" for e in r["raw"])
        print(f"{r['cases']:>10,} runs: sweep {runs} s; ceiling {ceilings} s")
        # CPU seconds of the tick's process: a busy machine stretches the wall clock above.
        cpu_runs = ", ".join(f"{e['cpu']:.2f}" for e in r["engine"])
        cpu_ceilings = ", ".join(f"{e['cpu']:.2f}" for e in r["raw"])
        print(f"{'':>10} CPU of a tick: sweep {cpu_runs} s; ceiling {cpu_ceilings} s")
        engine_io, raw_io = r["engine"][-1]["io"], r["raw"][-1]["io"]
        if engine_io and raw_io:
            print(f"{'':>10} I/O of a tick: sweep {engine_io['syscr']:,} read calls,"
                  f" {engine_io['wchar'] / 2**20:,.0f} MB written; ceiling"
                  f" {raw_io['syscr']:,} read calls, {raw_io['wchar'] / 2**20:,.0f} MB written")
        for e in r["engine"]:
            hwm = e["hwm_mb"]
            if hwm is not None and abs(e["peak_mb"] - hwm) > 0.1 * hwm:
                print(f"{'':>10} WARNING: ru_maxrss {e['peak_mb']:.0f} MB but VmHWM"
                      f" {hwm:.0f} MB: the peak RSS is not the tick's own")
    print("peak RSS: ru_maxrss of the tick's process after the tick (the highest of the runs);"
          " baseline: its RSS right before (imports, policies, engine)")
    print(f"ceiling: plain sqlite3, same due rows, same batches; targets at 1,000,000 open:"
          f" sweep < {TARGET_SECONDS:.0f} s, peak RSS < {TARGET_MB:.0f} MB")
    if len(results) > 1:
        times = [r["sweep_s"] for r in results]
        sizes = [r["cases"] for r in results]
        print(f"slowest / fastest sweep: {max(times) / min(times):.2f}x across"
              f" {max(sizes) / min(sizes):.0f}x the open cases (time should follow the rows due)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[1_000_000, 100_000])
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=BATCH)
    parser.add_argument("--clustered", action="store_true",
                        help="the due cases are the oldest ids, stored together, instead of"
                        " spread evenly over the tables (shows what page locality costs)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="ticks of each kind per size, each on a fresh copy (median shown)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the engine's tick (cProfile; its time is then inflated)")
    parser.add_argument("--child", choices=["generate", "engine", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:  # a child: its figures as JSON on stdout
        print(json.dumps(child(args.child, args.db, args)))
        return
    if any(n < args.due for n in args.cases) or args.due < 1 or args.repeat < 1:
        parser.error("--due and --repeat must be at least 1, --due at most every --cases")
    run_started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="capa-sweep-bench-") as tmp:
        for cases in args.cases:
            result = measure(Path(tmp), cases, args.due, args)
            results.append(result)
            print(f"{cases:>9,} open, {args.due:,} due: generated in {result['generated']:5.1f} s"
                  f" ({result['size_mb']:,.0f} MB file); {args.repeat} sweep and"
                  f" {args.repeat} ceiling tick(s), each on a fresh copy, all checks passed")
            if "profile" in result["engine"][0]:
                print(result["engine"][0]["profile"])
    _print_results(results, args)
    print(f"whole run: {time.perf_counter() - run_started:.0f} s")

if __name__ == "__main__":
    main()
