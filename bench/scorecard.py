"""Grading a month on SQLite: 2,000 suppliers and 1,000,000 inspection lots in that month.

A migrated SQLite file is filled with plain sqlite3 `executemany`: the suppliers, one rating
each, and the month's lots spread evenly over suppliers and over the month (every 40th lot
rejected with 3 defects in its sample of 50), plus line defects and lots of the month before
that the run must leave out. Then, in this process:

- the run: `scorecards.grade_month` for the month (every measure by GROUP BY supplier, every
  supplier's score and grade, the scorecards upserted, the escalation rules applied), timed
  twice: the first run inserts 2,000 scorecards, the second recomputes and updates them;
- the ceiling: the one GROUP BY over the month's lots that any grading must do, in plain
  sqlite3, on the same file.

After the runs it checks that there is one scorecard per supplier and that the lots counted
in the components add up to the month's lots.

    .venv/bin/python bench/scorecard.py [--suppliers 2000] [--lots 1000000]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path; the project root goes there.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from capaflow.calendars import BusinessCalendar  # noqa: E402
from capaflow.config import load_policies  # noqa: E402
from capaflow.models.db import get_engine, upgrade  # noqa: E402
from capaflow.scorecards import grade_month, load_scorecard_policy  # noqa: E402
from capaflow.scorecards.policy import ATTITUDES  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MONTH = "2026-10"
MONTH_START = datetime(2026, 10, 1, tzinfo=UTC)
MONTH_SECONDS = 31 * 24 * 3600
TARGET_SECONDS = 10.0


def _ts(value: datetime) -> str:
    """A UTC moment as SQLAlchemy stores a `UTCDateTime` on SQLite (models/types.py)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(path: Path, suppliers: int, lots: int) -> None:
    created = _ts(datetime(2025, 1, 1, tzinfo=UTC))
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.executemany(
            "INSERT INTO suppliers (id, code, name, created_at) VALUES (?, ?, ?, ?)",
            ((i, f"S{i:05d}", f"Supplier {i}", created) for i in range(1, suppliers + 1)),
        )
        db.executemany(
            "INSERT INTO supplier_ratings (supplier_id, month, attitude, rated_by, rated_at) "
            "VALUES (?, ?, ?, 'bench', ?)",
            ((i, MONTH, ATTITUDES[i % 4], created) for i in range(1, suppliers + 1)),
        )

        def rows(count: int, start: datetime, seconds: int, prefix: str) -> object:
            for n in range(count):
                at = _ts(start + timedelta(seconds=n * seconds // count))
                rejected = n % 40 == 0
                yield (n % suppliers + 1, "P-1", f"{prefix}{n}", 500, 50,
                       3 if rejected else 0, "BURR" if rejected else None, "normal",
                       0 if rejected else 1, at, at)

        insert = (
            "INSERT INTO inspection_lots (supplier_id, part, lot, lot_size, sample_size, "
            "defects, defect_code, severity, accepted, inspected_at, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        db.executemany(insert, rows(lots, MONTH_START, MONTH_SECONDS, "L"))  # type: ignore[arg-type]
        # The month before (30 days): the run must not count these.
        september = datetime(2026, 9, 1, tzinfo=UTC)
        db.executemany(insert, rows(lots // 10, september, 30 * 86400, "S"))  # type: ignore[arg-type]
        db.executemany(
            "INSERT INTO defect_events (supplier_id, part, defect_code, quantity, occurred_at, "
            "recorded_at, source) VALUES (?, 'P-1', 'DIM', ?, ?, ?, 'line')",
            ((i, i % 7, _ts(MONTH_START + timedelta(days=3)),
              _ts(MONTH_START + timedelta(days=3))) for i in range(1, suppliers + 1)),
        )
        db.commit()
        db.execute("ANALYZE")


def ceiling(path: Path) -> float:
    start, end = _ts(MONTH_START), _ts(datetime(2026, 11, 1, tzinfo=UTC))
    with closing(sqlite3.connect(path)) as db:
        began = time.perf_counter()
        found = db.execute(
            "SELECT supplier_id, count(*), sum(accepted), sum(sample_size), sum(defects) "
            "FROM inspection_lots WHERE inspected_at >= ? AND inspected_at < ? "
            "GROUP BY supplier_id", (start, end),
        ).fetchall()
        elapsed = time.perf_counter() - began
    assert len(found) > 0
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=2000)
    parser.add_argument("--lots", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "capa.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        began = time.perf_counter()
        fill(path, args.suppliers, args.lots)
        print(f"filled {args.suppliers:,} suppliers, {args.lots:,} lots in {MONTH} "
              f"(+{args.lots // 10:,} the month before) in {time.perf_counter() - began:.1f} s")
        engine = get_engine(url)
        policy = load_scorecard_policy(load_policies(), BusinessCalendar())
        timings = []
        for label in ("first run (inserts scorecards)", "re-run (recomputes, updates)"):
            began = time.perf_counter()
            results = grade_month(engine, month=MONTH, now=NOW, policy=policy, actor="bench")
            timings.append(time.perf_counter() - began)
            print(f"{label}: {timings[-1]:.2f} s for {len(results):,} suppliers")
        counted = sum(r.components["acceptance"]["lots"] for r in results)
        assert len(results) == args.suppliers, len(results)
        assert counted == args.lots, (counted, args.lots)
        grades: dict[str, int] = {}
        for r in results:
            grades[r.grade] = grades.get(r.grade, 0) + 1
        print(f"grades: {dict(sorted(grades.items()))}")
        engine.dispose()
        floor = ceiling(path)
        print(f"ceiling (one plain GROUP BY over the month's lots): {floor:.2f} s")
        worst = max(timings)
        verdict = "meets" if worst < TARGET_SECONDS else "MISSES"
        print(f"run {worst:.2f} s vs target {TARGET_SECONDS:.0f} s: {verdict} it; "
              f"{worst / floor:.1f}× the ceiling")


if __name__ == "__main__":
    main()
