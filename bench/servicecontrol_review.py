"""The monthly service quality review at size on SQLite, beside a plain SQL ceiling.

A child process fills a migrated SQLite file as bench/service.py does (its `generate`, plain
sqlite3 `executemany`, rows as the engine would write them), with the requests received over
the 12 months before NOW instead of 24: `--requests` service requests of the three default
departments' teams, their SLA clocks (about 9 in 10 met on time), an answered follow-up for
one in three, `--open` still open.

Figures, each in a child of its own on the same file (the review writes nothing):

- the review (`targets.review.monthly_review`, every department, the month before NOW's, with
  each indicator's 12-month trend, the actions open or late and the Pareto of causes);
- the ceiling: one plain SQL statement (UNION ALL of three GROUP BYs) giving the same figures
  per team and month for the 12 months: clock outcomes, satisfied answers, complaints.

The two are checked to agree on the month's figures of every department.

    .venv/bin/python bench/servicecontrol_review.py [--requests 1000000] [--open 10000]
                                                    [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path; the project root goes there.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from bench import service as desk_bench  # noqa: E402  (after the path is set)

NOW = desk_bench.NOW
MONTH = desk_bench.MONTH
TEAMS = {"service_desk": "desk", "field_service": "field", "back_office": "office"}


def _review_policy() -> Any:
    from capaflow.config.policies import validate_policies
    from capaflow.targets.policy import review_policy

    return review_policy(validate_policies(desk_bench._policies()))


def review_engine(path: Path, repeat: int) -> dict[str, Any]:
    from capaflow.models.db import get_engine, session_scope
    from capaflow.targets.review import monthly_review

    policy = _review_policy()
    engine = get_engine(f"sqlite:///{path}")
    times, figures = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        with session_scope(engine) as session:
            review = monthly_review(session, month=MONTH, department=None, now=NOW,
                                    review=policy)
        times.append(time.perf_counter() - started)
    for dept in review.departments:
        for row in dept.indicators:
            if row.value is not None:
                figures[f"{dept.code}:{row.name}"] = row.value
    engine.dispose()
    return {"seconds": min(times), "all": times, "figures": figures}


CEILING = """
SELECT 'clock' AS what, r.team, {bucket_due} AS b,
       sum(d.status = 'met' AND d.met_on_time = 1),
       sum((d.status = 'met' AND d.met_on_time = 0) OR (d.status = 'pending' AND d.due_at < :end)
           OR (d.status = 'on_hold' AND d.hold_started_at > d.due_at))
  FROM deadlines d JOIN service_requests r ON r.case_id = d.case_id
 WHERE d.key IN ('first_response', 'resolution') AND d.due_at >= :first AND d.due_at < :end
 GROUP BY 1, 2, 3
UNION ALL
SELECT 'csat', r.team, {bucket_answered}, sum(f.overall >= 4), count(f.overall)
  FROM follow_ups f JOIN service_requests r ON r.case_id = f.case_id
 WHERE f.status = 'answered' AND f.answered_at >= :first AND f.answered_at < :end
 GROUP BY 1, 2, 3
UNION ALL
SELECT 'complaints', r.team, {bucket_received}, count(*), 0
  FROM service_requests r
 WHERE r.kind IN ('complaint', 'claim') AND r.received_at >= :first AND r.received_at < :end
 GROUP BY 1, 2, 3
"""


def review_raw(path: Path, repeat: int) -> dict[str, Any]:
    from capaflow.servicedesk.reports import month_edges

    names, edges = month_edges(MONTH, _review_policy().zone, 12)
    stamps = [desk_bench._ts(e) for e in edges]

    def bucket(column: str) -> str:
        cases = " ".join(f"WHEN {column} < '{edge}' THEN {k}"
                         for k, edge in enumerate(stamps[1:-1]))
        return f"CASE {cases} ELSE {len(stamps) - 2} END"

    sql = CEILING.format(bucket_due=bucket("d.due_at"), bucket_answered=bucket("f.answered_at"),
                         bucket_received=bucket("r.received_at"))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute(sql, {"first": stamps[0], "end": stamps[-1]}).fetchall()
        times.append(time.perf_counter() - started)
    last = len(names) - 1
    figures: dict[str, float] = {}
    for code, team in TEAMS.items():
        month = {what: (a, b) for what, t, k, a, b in rows if t == team and k == last}
        met, missed = month.get("clock", (0, 0))
        if met + missed:
            figures[f"{code}:sla_attainment"] = round(met / (met + missed), 4)
        satisfied, answered = month.get("csat", (0, 0))
        if answered:
            figures[f"{code}:satisfaction"] = round(satisfied / answered, 4)
        figures[f"{code}:complaints"] = float(month.get("complaints", (0, 0))[0])
    return {"seconds": min(times), "all": times, "figures": figures}


def child(args: argparse.Namespace) -> dict[str, Any]:
    if args.child == "generate":
        # A year of requests: the review's trend covers all of them.
        desk_bench.HISTORY_DAYS = 365
        started = time.perf_counter()
        desk_bench.generate(args.db, args.requests, args.open, 0)
        return {"seconds": time.perf_counter() - started}
    if args.child == "review":
        return review_engine(args.db, args.repeat)
    return review_raw(args.db, args.repeat)


def run_child(mode: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--db",
               str(path), "--requests", str(args.requests), "--open", str(args.open),
               "--repeat", str(args.repeat)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {mode} child failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "review.db"
        generated = run_child("generate", path, args)
        review = run_child("review", path, args)
        ceiling = run_child("review-raw", path, args)
    if review["figures"] != ceiling["figures"]:
        raise SystemExit(f"CHECK FAILED: review {review['figures']} vs SQL "
                         f"{ceiling['figures']}")
    print(f"requests {args.requests:,} over 12 months (generated in "
          f"{generated['seconds']:.1f} s)")
    print(f"monthly review, 3 departments x 6 indicators, 12-month trends: "
          f"{review['seconds']:.2f} s (runs {', '.join(f'{s:.2f}' for s in review['all'])})")
    print(f"plain SQL ceiling, one statement: {ceiling['seconds']:.2f} s "
          f"(runs {', '.join(f'{s:.2f}' for s in ceiling['all'])}); "
          f"ratio {review['seconds'] / ceiling['seconds']:.1f}x")
    print(f"the month's figures agree: {json.dumps(review['figures'], sort_keys=True)}")


if __name__ == "__main__":
    main()
