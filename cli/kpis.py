"""`capa kpi report [--from DAY] [--to DAY] [--format md|csv|json]`: the 8D KPIs (cycle time
per discipline, on-time share per supplier, ageing of open cases). The figures are
casework.kpis's, the forms documents.kpis's; this module only parses and prints."""

from __future__ import annotations

from typing import Annotated

import typer

from capaflow.casework.kpis import kpi_report, parse_window
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run
from capaflow.documents.kpis import kpi_csv, kpi_document, kpi_markdown
from capaflow.errors import BadInput

app = typer.Typer(help="Key figures of the 8D work.", no_args_is_help=True)

FORMATS = ("md", "csv", "json")


@app.command("report")
def kpi_report_command(
    from_text: Annotated[str | None, typer.Option(
        "--from", help="First day (YYYY-MM-DD) or ISO time; default 365 days before --to.",
        show_default=False)] = None,
    to_text: Annotated[str | None, typer.Option(
        "--to", help="Last day, included (YYYY-MM-DD), or ISO time; default now.",
        show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="md, csv or json.")] = "md",
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Cycle time per 8D discipline (median, 90th percentile), deadlines met on time / late /
    missed per supplier, and open 8D cases by age."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        wanted = output_format.strip().lower()
        if wanted not in FORMATS:
            raise BadInput(f"format: '{output_format}' is not one of {', '.join(FORMATS)}",
                           field="format")
        start, end = parse_window(from_text, to_text, now=env.now,
                                  zone=env.deadline_policy.calendar.zone)
        with env.transaction() as session:
            document = kpi_document(kpi_report(session, start=start, end=end, now=env.now))
        if env.as_json or wanted == "json":
            print_json(document.as_json())
            return
        typer.echo(kpi_csv(document) if wanted == "csv" else kpi_markdown(document), nl=False)

    run(env, body)
