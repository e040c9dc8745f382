"""`capa spotcheck ...`: the weekly draw of closed service requests, their review against the
standard, and the monthly conformance (docs/architecture.md, "Service quality control")."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run
from capaflow.cli.common import stdout as out
from capaflow.csvfiles import write_csv
from capaflow.documents.spotchecks import (
    ConformanceReportPublic,
    DrawPublic,
    SpotCheckPublic,
    conformance_document,
    draw_document,
    view_document,
)
from capaflow.errors import BadInput
from capaflow.spotchecks.draw import draw_week, week_sample, with_states
from capaflow.spotchecks.report import month_conformance
from capaflow.spotchecks.review import review_spot_check

spotcheck_app = typer.Typer(help="Spot-checks of closed service requests: the weekly draw, "
                                 "reviews, conformance.", no_args_is_help=True)

FORMATS = ("md", "csv", "json")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _print_sample(env: Env, document: DrawPublic) -> None:
    if env.as_json:
        print_json(document.as_json())
        return
    said = "already drawn" if document.already_drawn else "drawn"
    out.print(f"{document.week} {said} (seed {document.seed}): {document.drawn} of "
              f"{document.closed_requests} closed requests.", highlight=False)
    _table(document.spotchecks)


def _table(rows: list[SpotCheckPublic]) -> None:
    table = Table("id", "request", "person", "team", "reviewer", "state", "due", "score")
    for d in rows:
        table.add_row(str(d.id), str(d.request), d.person, d.team or "-", d.reviewer, d.state,
                      d.due_at.date().isoformat(), "-" if d.score is None else f"{d.score:g}")
    out.print(table)


@spotcheck_app.command("draw")
def spotcheck_draw(
    week: Annotated[str, typer.Option("--week", help="ISO week, e.g. 2026-W49.")],
    seed: Annotated[
        int | None, typer.Option("--seed", help="Draw with this seed (default: from the "
                                                "week).")
    ] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Draw the week's spot-checks; the same week drawn again gives the same sample."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        with env.transaction() as session:
            result = draw_week(session, policies=env.runtime.policies,
                               policy=env.deadline_policy, week=week, seed=seed,
                               actor=env.actor, now=env.now)
            document = draw_document(result.draw, with_states(session, result.spot_checks),
                                     result.already_drawn)
        _print_sample(env, document)

    run(env, body)


@spotcheck_app.command("list")
def spotcheck_list(
    week: Annotated[str, typer.Option("--week", help="ISO week, e.g. 2026-W49.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """A drawn week's spot-checks and where each stands."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            draw, rows = week_sample(session, week)
            document = draw_document(draw, rows, True)
        if env.as_json:
            # The document GET /api/v1/spotchecks?week= answers.
            print_json(document.as_json())
            return
        _table(document.spotchecks)

    run(env, body)


def _results(pairs: list[str] | None) -> dict[str, str]:
    results: dict[str, str] = {}
    for pair in pairs or []:
        code, sep, value = pair.partition("=")
        if not sep or not code.strip():
            raise BadInput(f"result: '{pair}' is not CODE=pass|fail", field="result")
        if code.strip() in results:
            raise BadInput(f"result: item '{code.strip()}' is given twice", field="result")
        results[code.strip()] = value
    return results


@spotcheck_app.command("review")
def spotcheck_review(
    spotcheck_id: Annotated[int, typer.Argument(help="Spot-check number.")],
    by: Annotated[str, typer.Option("--by", help="Who reviewed (a person of the register).")],
    result: Annotated[
        list[str] | None,
        typer.Option("--result", help="CODE=pass or CODE=fail, once per item of the "
                                      "standard."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What the review found.")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Score a drawn request against its standard; a failed item owes the person training."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        results = _results(result)
        with env.transaction() as session:
            document = view_document(review_spot_check(
                session, policies=env.runtime.policies, policy=env.deadline_policy,
                case_id=spotcheck_id, results=results, by=by.strip(), note=note,
                now=env.now))
        if env.as_json:
            print_json(document.as_json())
            return
        failed = [i.code for i in document.items if not i.passed]
        out.print(f"Spot-check {document.id} of {document.person}: score {document.score:g}"
                  + (f"; failed {', '.join(failed)}: training owed" if failed else
                     "; every item passed"), highlight=False)

    run(env, body)


def _markdown(document: ConformanceReportPublic) -> str:
    lines = [f"# Spot-check conformance {document.month}", ""]
    for title, rows in (("People", document.people), ("Teams", document.teams)):
        lines += [f"## {title}", "",
                  "| name | team | spot-checks | fully passed | items passed |",
                  "| --- | --- | ---: | ---: | ---: |"]
        lines += [f"| {c.name} | {c.team or '-'} | {c.spot_checks} | "
                  f"{_share(c.full_conformance)} | {_share(c.item_conformance)} |"
                  for c in rows]
        lines.append("")
    return "\n".join(lines)


def _csv(document: ConformanceReportPublic) -> str:
    # Person and team names are typed in by people: neutralised like every CSV we write.
    return write_csv(
        ["month", "scope", "name", "team", "spot_checks", "fully_passed", "items",
         "items_passed", "item_conformance", "full_conformance"],
        [[document.month, scope, c.name, c.team or "", c.spot_checks, c.fully_passed, c.items,
          c.items_passed, "" if c.item_conformance is None else c.item_conformance,
          "" if c.full_conformance is None else c.full_conformance]
         for scope, rows in (("person", document.people), ("team", document.teams))
         for c in rows])


@spotcheck_app.command("report")
def spotcheck_report(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    fmt: Annotated[str, typer.Option("--format", help="md, csv or json.")] = "md",
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Conformance per person and team: items passed, and spot-checks fully passed."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        chosen = fmt.strip().lower()
        if chosen not in FORMATS:
            raise BadInput(f"format: '{fmt}' is not one of {', '.join(FORMATS)}",
                           field="format")
        with env.transaction() as session:
            document = conformance_document(month_conformance(
                session, month=month, zone=env.deadline_policy.calendar.zone))
        if env.as_json or chosen == "json":
            print_json(document.as_json())
        elif chosen == "csv":
            out.print(_csv(document), end="", highlight=False, markup=False)
        else:
            out.print(_markdown(document), highlight=False, markup=False)

    run(env, body)
