"""`capa scorecard ...`: run a month's grades, show them, chart them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from capaflow.cli.common import (
    ActorOpt,
    ConfigOpt,
    DbOpt,
    Env,
    JsonOpt,
    NowOpt,
    print_json,
    run,
    stdout,
)
from capaflow.documents.scorecards import graded_month_document, scorecard_run_document
from capaflow.errors import BadInput
from capaflow.scorecards import months
from capaflow.scorecards.charts import pareto_chart, score_chart
from capaflow.scorecards.grading import run_month
from capaflow.scorecards.history import check_months, defect_pareto, list_scorecards
from capaflow.scorecards.policy import ScorecardPolicy, load_scorecard_policy
from capaflow.suppliers.registry import get_supplier

app = typer.Typer(help="Monthly supplier grades A–E and their escalations.",
                  no_args_is_help=True)

MonthOpt = Annotated[
    str | None,
    typer.Option("--month", help="YYYY-MM (default: the month before now's).",
                 show_default=False),
]
SupplierOpt = Annotated[str, typer.Option("--supplier", help="Supplier code.")]
OutOpt = Annotated[Path, typer.Option("--out", help="The SVG file to write.")]
MonthsOpt = Annotated[int, typer.Option("--months", help="How many months, up to now's.")]


def scorecard_policy(env: Env) -> ScorecardPolicy:
    # The deadlines of the same --config: the audits and reports an escalation opens use them.
    deadlines = env.deadline_policy
    return load_scorecard_policy(env.policies, deadlines.calendar, deadlines=deadlines)


def _check_out(out: Path) -> None:
    # Checked before anything is read, so a typo costs nothing and writes nothing.
    if out.suffix.lower() != ".svg":
        raise BadInput(f"out: '{out}' must be an .svg file (charts are SVG)", field="out")
    if not out.parent.is_dir():
        raise BadInput(f"out: folder '{out.parent}' does not exist", field="out")


def _write(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"out: cannot write '{out}': {exc.strerror or exc}", field="out") from exc


def _score(score: float | None) -> str:
    return "-" if score is None else f"{score:g}"


@app.command("run")
def run_command(
    month: MonthOpt = None,
    by: ActorOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Grade every supplier for a month and take the escalations the grades call for."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        policy = scorecard_policy(env)
        wanted = month if month is not None else months.shift(
            months.month_of(env.now, policy.calendar.zone), -1)
        # The rules decide a blacklisting, not whoever starts the run; --by names a person.
        actor = env.actor if env.actor_name else policy.actor
        with env.transaction() as session:
            results = run_month(session, month=wanted, now=env.now, policy=policy, actor=actor)
        document = scorecard_run_document(wanted, results)
        if env.as_json:
            print_json(document.as_json())
            return
        table = Table(title=f"Supplier grades {wanted}", title_justify="left")
        for column in ("supplier", "score", "grade", "before", "escalations"):
            table.add_column(column)
        for r in document.suppliers:
            fired = "; ".join(f"{e.rule}: {', '.join(e.actions)}" for e in r.escalations)
            table.add_row(r.supplier, _score(r.score), r.grade or "not graded",
                          r.previous_grade or "-", fired or r.not_graded_reason or "-")
        stdout.print(table)

    run(env, body)


@app.command("show")
def show_command(
    supplier: Annotated[
        str | None, typer.Option("--supplier", help="Only this supplier.", show_default=False)
    ] = None,
    months_back: MonthsOpt = 12,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Stored grades of the last months, with the escalations each month fired."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        policy = scorecard_policy(env)
        with env.transaction() as session:
            graded = list_scorecards(session, code=supplier, count=months_back, now=env.now,
                                     policy=policy)
        rows = [graded_month_document(g) for g in graded]
        if env.as_json:
            print_json([r.as_json() for r in rows])
            return
        table = Table(title=f"{len(rows)} grade(s)", title_justify="left")
        for column in ("supplier", "month", "score", "grade", "escalations"):
            table.add_column(column)
        for r in rows:
            fired = ", ".join(e.rule for e in r.escalations)
            table.add_row(r.supplier, r.month, _score(r.score), r.grade or "not graded",
                          fired or r.not_graded_reason or "-")
        stdout.print(table)

    run(env, body)


@app.command("chart")
def chart_command(
    supplier: SupplierOpt,
    out: OutOpt,
    months_back: MonthsOpt = 12,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """An SVG line chart of the supplier's score and grade over the months."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        _check_out(out)
        check_months(months_back)
        policy = scorecard_policy(env)
        with env.transaction() as session:
            graded = list_scorecards(session, code=supplier, count=months_back, now=env.now,
                                     policy=policy)
            code = get_supplier(session, supplier).code
        points = [(g.month, g.score, g.grade) for g in graded]
        _write(out, score_chart(f"{code}: monthly score and grade", points,
                                policy.grade_floors))
        if env.as_json:
            print_json({"supplier": code, "out": str(out),
                        "months": [{"month": m, "score": s, "grade": g, "graded": g is not None}
                                   for m, s, g in points]})
        else:
            stdout.print(f"Wrote {out} ({len(points)} month(s)).", highlight=False)

    run(env, body)


@app.command("pareto")
def pareto_command(
    supplier: SupplierOpt,
    out: OutOpt,
    month: Annotated[
        str | None,
        typer.Option("--month", help="YYYY-MM (default: everything up to now).",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """An SVG Pareto chart of the supplier's defect codes: bars most first, cumulative %."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        _check_out(out)
        policy = scorecard_policy(env)
        zone = policy.calendar.zone
        start = None
        end = env.now
        if month is not None:
            wanted = months.check_not_future(month, env.now, zone)
            start, month_end = months.bounds(wanted, zone)
            end = min(month_end, env.now)
        with env.transaction() as session:
            found = get_supplier(session, supplier)
            assert found.id is not None
            counts = defect_pareto(session, supplier_id=found.id, start=start, end=end)
        span = f" {month}" if month is not None else ""
        _write(out, pareto_chart(f"{found.code}: defects by code{span}", counts))
        if env.as_json:
            print_json({"supplier": found.code, "out": str(out),
                        "codes": [{"defect_code": c, "pieces": n} for c, n in counts]})
        else:
            stdout.print(f"Wrote {out} ({len(counts)} defect code(s)).", highlight=False)

    run(env, body)
