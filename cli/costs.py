"""`capa cost add|list` and `capa chargeback`: supplier-caused costs and their statement."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.calendars import isoformat, parse_instant
from capaflow.chargeback import KINDS, add_cost, build_statement, case_costs, to_csv, to_markdown
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
from capaflow.documents.costs import cost_document, statement_document
from capaflow.errors import MAX_ID, BadInput

app = typer.Typer(help="Costs of supplier-caused defects, to charge back.",
                  no_args_is_help=True)


@app.command("add")
def add_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    kind: Annotated[str, typer.Option("--kind", help=", ".join(KINDS) + ".")],
    amount: Annotated[str, typer.Option("--amount", help="e.g. 120.50")],
    currency: Annotated[str, typer.Option("--currency", help="ISO 4217, e.g. EUR.")],
    at: Annotated[str | None, typer.Option("--at", help="When it was incurred (ISO-8601); "
                                                        "default now.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Record a cost a supplier-caused case incurred."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        try:
            incurred = parse_instant(at, field="at") if at is not None else None
        except ValueError as exc:
            raise BadInput(str(exc), field="at") from exc
        with env.transaction() as session:
            cost = add_cost(session, case_id=case_id, kind=kind, amount=amount,
                            currency=currency, incurred_at=incurred, note=note,
                            actor=env.actor, now=env.now)
            document = cost_document(cost)
        if env.as_json:
            print_json(document.as_json())
        else:
            stdout.print(f"cost #{document.id} on case #{case_id}: {document.kind} "
                         f"{document.amount} {document.currency}", highlight=False)

    run(env, body)


@app.command("list")
def list_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """The costs recorded on a case."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            documents = [cost_document(c) for c in case_costs(session, case_id)]
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table(title=f"Costs of case #{case_id}", title_justify="left")
        for column in ("#", "kind", "amount", "currency", "incurred", "note"):
            table.add_column(column)
        for d in documents:
            table.add_row(str(d.id), d.kind, d.amount, d.currency, isoformat(d.incurred_at),
                          d.note or "")
        stdout.print(table)

    run(env, body)


def chargeback_command(
    supplier: Annotated[str, typer.Option("--supplier", help="Supplier code.")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    output_format: Annotated[str, typer.Option("--format", help="md or csv.")] = "md",
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The charge-back statement of a supplier for a month (Markdown or CSV)."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        wanted = output_format.strip().lower()
        if wanted not in ("md", "csv"):
            raise BadInput(f"format: '{output_format}' is not md or csv", field="format")
        zone = env.deadline_policy.calendar.zone
        with env.transaction() as session:
            statement = build_statement(session, supplier_code=supplier, month=month,
                                        now=env.now, zone=zone)
        if env.as_json:
            print_json(statement_document(statement).as_json())
            return
        # Written raw: the statement is a document to send, not rich console output.
        typer.echo(to_csv(statement) if wanted == "csv" else to_markdown(statement), nl=False)

    run(env, body)
