"""Committed 8D transitions per second on a SQLite file, beside the raw insert rate ceiling.

Each engine transition is one transaction: version check, guard, state change, hash-chained
audit event, deadline changes and the "case moved" outbox row. The ceiling writes the same
rows (one event, one case update, the deadline updates and inserts, one outbox row) with
plain sqlite3 statements, one transaction each, on an identical file with the same pragmas.

    .venv/bin/python bench/transitions.py [--cases 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and this file, named
# transitions.py, would hide the `transitions` library; the project root goes there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from capaflow.casework.engine import advance, open_case  # noqa: E402
from capaflow.config import load_policies  # noqa: E402
from capaflow.deadlines.policy import load_policy  # noqa: E402
from capaflow.models.db import get_engine, session_scope, upgrade  # noqa: E402
from capaflow.suppliers.registry import add_supplier  # noqa: E402

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEPS = [
    ("contain", {"containment": "sorted stock"}),
    ("find_root_cause", {"root_cause": "worn die", "escape_point": "no check",
                         "category": "machine"}),
    ("apply_short_term_fix", {"short_term_fix": "deburr"}),
    ("implement_countermeasure", {"countermeasure": "die reground"}),
]


def _open_cases(url: str, cases: int) -> list[int]:
    engine = get_engine(url)
    policy = load_policy(load_policies())
    with session_scope(engine) as session:
        add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                     executive=None, now=T0)
    ids = []
    for i in range(cases):
        with session_scope(engine) as session:
            result = open_case(
                session, lifecycle="8d", title=f"case {i}", supplier_code="ACME", part="P",
                defect_code="D", severity="major", complex_cause=False, owner="lena",
                team=None, problem=None, actor="bench", now=T0, policy=policy,
            )
            assert result.case.id is not None
            ids.append(result.case.id)
    return ids


def _take_steps(url: str, ids: list[int]) -> int:
    """Every case of `ids` through its four steps, one transaction per step."""
    engine = get_engine(url)
    policy = load_policy(load_policies())
    count = 0
    for n, (trigger, fields) in enumerate(STEPS, start=1):
        for case_id in ids:
            with session_scope(engine) as session:
                advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                        actor="bench", now=T0 + timedelta(hours=n), policy=policy)
            count += 1
    return count


def engine_rate(path: Path, cases: int, workers: int) -> tuple[float, int, float]:
    url = f"sqlite:///{path}"
    upgrade(url)
    ids = _open_cases(url, cases)
    get_engine(url).dispose()
    shares = [ids[w::workers] for w in range(workers)]
    started = time.perf_counter()
    cpu = time.process_time()
    if workers == 1:
        count = _take_steps(url, ids)
    else:
        # Separate processes, as separate CLI or API workers would be: SQLite lets one of
        # them write at a time (busy_timeout makes the others wait), the rest of a step's
        # work runs beside it on the other core.
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            count = sum(pool.starmap(_take_steps, [(url, share) for share in shares]))
    elapsed = time.perf_counter() - started
    # CPU seconds of this process (of the one worker); on a busy machine the wall clock
    # measures the other engineers' load as much as this code.
    cpu_rate = count / (time.process_time() - cpu) if workers == 1 else 0.0
    return count / elapsed, count, cpu_rate


def raw_rate(path: Path, transitions: int) -> tuple[float, float]:
    """The same rows per transition with plain sqlite3: the ceiling the engine is held to."""
    url = f"sqlite:///{path}"
    upgrade(url)
    get_engine(url).dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    now = T0.replace(tzinfo=None).isoformat(sep=" ")
    conn.execute("INSERT INTO suppliers (code, name, created_at) VALUES ('ACME', 'Acme', ?)",
                 (now,))
    conn.execute("BEGIN")
    for i in range(transitions):
        conn.execute(
            "INSERT INTO cases (lifecycle, state, title, supplier_id, severity, complexity, cycle,"
            " reopen_count, occurrences, content, head_hash, event_count, version, opened_at,"
            " updated_at) VALUES ('8d', 'containment', ?, 1, 'major', 'general', 1, 0, 1, '{}',"
            " '', 0, 1, ?, ?)", (f"case {i}", now, now))
        conn.execute(
            "INSERT INTO deadlines (case_id, key, title, sequence, started_by, started_seq,"
            " met_by, started_at, due_at, status, next_action_at, escalation_level, held_seconds)"
            " VALUES (?, 'containment', 'D3', 1, 'open', 1, '[\"contain\"]', ?, ?, 'pending', ?,"
            " 0, 0)", (i + 1, now, now, now))
    conn.execute("COMMIT")
    fields = json.dumps({"containment": "sorted stock"})
    started = time.perf_counter()
    cpu = time.process_time()
    for i in range(transitions):
        case_id = i + 1
        conn.execute("BEGIN")
        conn.execute(
            "UPDATE cases SET state='root_cause', content=?, head_hash=?, event_count=2,"
            " version=version+1, updated_at=? WHERE id=? AND version=1",
            (fields, "f" * 64, now, case_id))
        conn.execute(
            "INSERT INTO case_events (case_id, seq, at, actor, action, from_state, to_state,"
            " fields, prev_hash, hash) VALUES (?, 2, ?, 'bench', 'contain', 'containment',"
            " 'root_cause', ?, ?, ?)", (case_id, now, fields, "0" * 64, "f" * 64))
        conn.execute(
            "UPDATE deadlines SET status='met', closed_at=?, met_on_time=1, closed_by_seq=2,"
            " next_action_at=NULL WHERE case_id=? AND status='pending'", (now, case_id))
        conn.execute(
            "INSERT INTO deadlines (case_id, key, title, sequence, started_by, started_seq,"
            " met_by, started_at, due_at, status, next_action_at, escalation_level, held_seconds)"
            " VALUES (?, 'root_cause', 'D4', 1, 'contain', 2, '[\"find_root_cause\"]', ?, ?,"
            " 'pending', ?, 0, 0)", (case_id, now, now, now))
        conn.execute(
            "INSERT INTO notifications (dedupe_key, case_id, kind, escalation_level, audience,"
            " subject, body, extra, status, attempts, created_at, next_attempt_at) VALUES"
            " (?, ?, 'case_moved', 0, '[\"owner\"]', 'moved', 'body', '{}', 'pending', 0, ?, ?)",
            (f"case:{case_id}:event:2:moved", case_id, now, now))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    cpu_elapsed = time.process_time() - cpu
    conn.close()
    return transitions / elapsed, transitions / cpu_elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1, help="processes taking steps")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rate, count, cpu_rate = engine_rate(Path(tmp) / "engine.db", args.cases, args.workers)
        ceiling, cpu_ceiling = raw_rate(Path(tmp) / "raw.db", count)
    print(f"engine transitions  : {rate:8.0f} /s  ({count} committed, one transaction each,"
          f" {args.workers} process(es))")
    print(f"raw insert ceiling  : {ceiling:8.0f} /s  (same rows, plain sqlite3, 1 process)")
    print(f"ratio ceiling/engine: {ceiling / rate:8.2f}x  (target: engine >= 2000/s, ratio <= 4)")
    if cpu_rate:
        print(f"per CPU second      : {cpu_rate:8.0f} /s engine, {cpu_ceiling:.0f} /s ceiling,"
              f" ratio {cpu_ceiling / cpu_rate:.2f}x  (this process's CPU time only)")


if __name__ == "__main__":
    main()
