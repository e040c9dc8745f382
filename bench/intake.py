"""Importing 3,000 line defects (issue 12, point 9) on a SQLite file, beside a ceiling.

The import records each row in its own transaction: the recurrence match, the case opened or
counted on, the classification, the 100 % hold, the notices. The ceiling inserts the same
3,000 defect rows with plain sqlite3, one transaction each, on a file with the same pragmas:
what a row costs with none of the work the intake does for it.

The file: 3,000 rows over 40 suppliers' parts (150 part numbers, 5 defect codes), quantities
1-3 with a batch of 12 every 25th row, so most rows count on a case an earlier row opened.

    .venv/bin/python bench/intake.py [--rows 3000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from capaflow.config import load_policies  # noqa: E402
from capaflow.deadlines.policy import load_policy  # noqa: E402
from capaflow.intake import COLUMNS, import_defects, load_intake_policy  # noqa: E402
from capaflow.models.db import get_engine, session_scope, upgrade  # noqa: E402
from capaflow.suppliers.registry import add_supplier  # noqa: E402

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SUPPLIERS = [f"S{n:02d}" for n in range(40)]
CODES = ["CRACK", "BURR", "DENT", "SCRATCH", "OVERSIZE"]


def write_file(path: Path, rows: int) -> None:
    lines = [",".join(COLUMNS)]
    for n in range(rows):
        supplier = SUPPLIERS[n % len(SUPPLIERS)]
        part = f"P-{(n * 7) % 150:03d}"
        code = CODES[(n // 3) % len(CODES)]
        qty = 12 if n % 25 == 0 else 1 + n % 3
        at = (T0 - timedelta(days=30) + timedelta(minutes=10 * n)).isoformat()
        lines.append(f"{supplier},{part},{code},{qty},{at},line,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def engine_run(folder: Path, file: Path, *, profile: bool) -> tuple[float, dict[str, int]]:
    url = f"sqlite:///{folder / 'capa.db'}"
    upgrade(url)
    engine = get_engine(url)
    with session_scope(engine) as session:
        for code in SUPPLIERS:
            add_supplier(session, code=code, name=code, contact="json://127.0.0.1:9/x",
                         quality_head=None, executive=None, now=T0 - timedelta(days=60))
    policies = load_policies(None)
    policy = load_policy(policies)
    intake = load_intake_policy(policies.get("intake"))
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = import_defects(file, transaction=lambda: session_scope(engine), actor="bench",
                            now=T0, policy=policy, intake_policy=intake)
    if profiler:
        profiler.disable()
    took = time.perf_counter() - started
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    outcomes: dict[str, int] = {}
    for row in report.imported:
        outcomes[row.result.outcome] = outcomes.get(row.result.outcome, 0) + 1
    outcomes["rejected"] = len(report.rejected)
    return took, outcomes


def ceiling_run(folder: Path, rows: int) -> float:
    """The same number of defect rows, inserted with plain sqlite3, one transaction each."""
    url = f"sqlite:///{folder / 'raw.db'}"
    upgrade(url)
    with session_scope(get_engine(url)) as session:
        add_supplier(session, code="S00", name="S00", contact=None, quality_head=None,
                     executive=None, now=T0)
    raw = sqlite3.connect(folder / "raw.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for n in range(rows):
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "INSERT INTO defect_events (supplier_id, part, defect_code, quantity, occurred_at,"
            " recorded_at, source, outcome, import_key, classification, "
            "classification_source, classification_reason) "
            "VALUES (1, ?, 'CRACK', 1, ?, ?, 'line', 'occurrence', ?, 'sporadic', 'rule', ?)",
            (f"P-{n % 150}", T0.isoformat(), T0.isoformat(), f"{n:064d}",
             "1 defective piece(s), fewer than 10"),
        )
        raw.execute("COMMIT")
    took = time.perf_counter() - started
    raw.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        file = folder / "defects.csv"
        write_file(file, args.rows)
        took, outcomes = engine_run(folder, file, profile=args.profile)
        ceiling = ceiling_run(folder, args.rows)
    print(json.dumps({
        "rows": args.rows, "seconds": round(took, 2), "rows_per_s": round(args.rows / took),
        "ceiling_seconds": round(ceiling, 2),
        "ceiling_rows_per_s": round(args.rows / ceiling),
        "ceiling_over_engine": round(took / ceiling, 1), "outcomes": outcomes,
    }, indent=2))


if __name__ == "__main__":
    main()
