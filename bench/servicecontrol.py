"""Service quality control benchmarks (docs/architecture.md, "Service quality control").

Part "draw": a week's spot-check sample from 1,000,000 closed service requests of 2,000
people (a year of them, about 19,000 closed in the week drawn), through
`spotchecks.draw.draw_week` (the selection, the keyed-hash ranking per person, and one
spot-check case with its event, review deadline and notice per drawn request), beside a
plain SQL ceiling: one SELECT of the same week's closed requests grouped by person.

Part "review": the monthly service quality review over a year of requests beside one plain
SQL statement; it is bench/servicecontrol_review.py, run here as its own process with the
same `--requests`.

The data is written with plain sqlite3 `executemany` into a migrated file.

    .venv/bin/python bench/servicecontrol.py [--part draw|review|all] [--requests 1000000]
                                             [--people 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, where bench/transitions.py
# would shadow the `transitions` library; the project root goes there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from sqlmodel import Session  # noqa: E402

from capaflow.config import load_policies  # noqa: E402
from capaflow.config.policies import Policies, validate_policies  # noqa: E402
from capaflow.deadlines.policy import load_policy  # noqa: E402
from capaflow.models.db import get_engine, upgrade  # noqa: E402
from capaflow.spotchecks.draw import choose, closed_in, draw_week  # noqa: E402
from capaflow.spotchecks.weeks import week_bounds  # noqa: E402

YEAR_START = datetime(2026, 1, 5, tzinfo=UTC)  # Monday of 2026-W02
WEEKS = 52
WEEK = "2026-W27"  # drawn: a week in the middle of the year
TEAMS = ("desk", "field", "office")


def _ts(value: datetime) -> str:
    """A UTC moment as SQLAlchemy stores a `UTCDateTime` on SQLite (models/types.py)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _requests(count: int, people: int) -> Iterator[tuple[Any, ...]]:
    span = WEEKS * 7 * 24 * 3600
    for i in range(count):
        closed = YEAR_START + timedelta(seconds=(i * 7919) % span)
        yield ("service", "closed", f"Request {i}", "minor", "general", f"p{i % people:04d}",
               0, 0, 0, '{"outcome": "solved"}', "0" * 64, 0, 1, _ts(closed - timedelta(hours=5)),
               _ts(closed), _ts(closed))


def build_database(path: Path, requests: int, people: int) -> str:
    url = f"sqlite:///{path}"
    upgrade(url)
    get_engine(url).dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        created = _ts(YEAR_START)
        conn.executemany(
            "INSERT INTO service_people (name, team, skills, lead, created_at) "
            "VALUES (?, ?, '[]', ?, ?)",
            [(f"p{i:04d}", TEAMS[i % len(TEAMS)], i < len(TEAMS), created)
             for i in range(people)])
        conn.executemany(
            "INSERT INTO cases (lifecycle, state, title, severity, complexity, owner, cycle, "
            "reopen_count, occurrences, content, head_hash, event_count, version, opened_at, "
            "updated_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _requests(requests, people))
        conn.commit()
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return url


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def ceiling_select(path: Path, start: datetime, end: datetime) -> int:
    """The plain SQL ceiling: the week's closed requests read and grouped by person."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT owner, count(*), group_concat(id) FROM cases WHERE lifecycle = 'service' "
            "AND state = 'closed' AND closed_at >= ? AND closed_at < ? AND owner IS NOT NULL "
            "GROUP BY owner", (_ts(start), _ts(end))).fetchall()
    finally:
        conn.close()
    return len(rows)


def part_draw(args: argparse.Namespace, policies: Policies) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        built, url = _timed(lambda: build_database(path, args.requests, args.people))
        print(f"built {args.requests:,} closed requests of {args.people:,} people in "
              f"{built:.1f} s")
        policy = load_policy(load_policies())
        start, end = week_bounds(WEEK, policy.calendar.zone)
        ceiling, groups = _timed(lambda: ceiling_select(path, start, end))
        now = end + timedelta(hours=8)

        def draw() -> tuple[int, int]:
            with Session(get_engine(url)) as session:
                result = draw_week(session, policies=policies, policy=policy, week=WEEK,
                                   seed=None, actor="bench", now=now)
                session.commit()
                return result.draw.closed_requests, result.draw.drawn

        def select_and_rank() -> int:
            with Session(get_engine(url)) as session:
                found = closed_in(session, start, end)
            section = policies.spotchecks
            return sum(len(v) for v in choose(found, seed=1, rate=section.rate,
                                                minimum=section.minimum).values())

        ranked, _ = _timed(select_and_rank)
        engine_seconds, (closed, drawn) = _timed(draw)
        again, _ = _timed(draw)
        warm, _ = _timed(lambda: ceiling_select(path, start, end))
        print(f"week {WEEK}: {closed:,} closed by {groups:,} people; {drawn:,} drawn")
        print(f"draw_week (select, rank, {drawn:,} spot-check cases written): "
              f"{engine_seconds:.2f} s")
        print(f"draw_week again (already drawn, nothing written): {again:.3f} s")
        print(f"selection and ranking alone (closed_in + choose, nothing written): "
              f"{ranked:.3f} s")
        print(f"plain SQL ceiling (one SELECT grouped by person): {ceiling:.3f} s cold, "
              f"{warm:.3f} s warm")
        get_engine(url).dispose()


def part_review(args: argparse.Namespace, _policies: Policies) -> None:
    review = Path(__file__).with_name("servicecontrol_review.py")
    subprocess.run([sys.executable, str(review), "--requests", str(args.requests)], check=True)


PARTS: dict[str, Callable[[argparse.Namespace, Policies], None]] = {
    "draw": part_draw, "review": part_review}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=2_000)
    args = parser.parse_args(argv)
    policies = validate_policies(load_policies())
    for name, part in PARTS.items():
        if args.part in (name, "all"):
            print(f"== {name}")
            part(args, policies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
