"""`capa demo seed` and `capa demo walkthrough`: the demo data set and a tour of it."""

from __future__ import annotations

import typer
from rich.rule import Rule

from cli import admin, cases
from cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from demo.seed import is_empty, seed

app = typer.Typer(help="Demo data and a guided tour.", no_args_is_help=True)


@app.command("seed")
def seed_command(
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None
) -> None:
    """Add the demo suppliers and cases, with a simulated history, if the database is empty."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        with env.transaction() as session:
            empty = is_empty(session)
            seeded = seed(session, now=env.now, policy=env.deadline_policy) if empty else None
        if env.as_json:
            print_json({"seeded": seeded is not None,
                        "cases": seeded.cases if seeded else 0,
                        "suppliers": seeded.suppliers if seeded else 0})
        elif seeded:
            stdout.print(f"Seeded {seeded.suppliers} suppliers and {seeded.cases} demo cases.")
        else:
            stdout.print("The database already holds data; nothing seeded.")

    run(env, body)


@app.command("walkthrough")
def walkthrough_command(db: DbOpt = None, now: NowOpt = None) -> None:
    """A two-minute tour of the demo cases: what is owed, what is late, the 8D report."""
    env = Env(False, db, now)

    def section(title: str, command: str) -> None:
        stdout.print()
        stdout.print(Rule(f"[bold]{title}[/]", align="left"))
        stdout.print(f"[dim]$ {command}[/]", highlight=False)

    def body() -> None:
        section("Every case and the next thing it owes", "capa case list")
        cases.list_command(db=db, now=now)
        section("What is overdue right now", "capa case list --overdue")
        cases.list_command(overdue=True, db=db, now=now)
        section("A case watched for six months after its countermeasure", "capa case show 1")
        cases.show_command(1, db=db, now=now)
        section("A complex cause: 10 days for the countermeasure", "capa case show 2")
        cases.show_command(2, db=db, now=now)
        section("A containment the quality lead sent back", "capa case history 4")
        cases.history_command(4, db=db, now=now)
        section("An improvement cycle that missed its target", "capa case report 5")
        cases.report_command(5, db=db, now=now)
        section("The 8D report of case 1", "capa case report 1")
        cases.report_command(1, db=db, now=now)
        section("Nobody has rewritten history", "capa audit verify")
        admin.audit_verify(db=db, now=now)
        stdout.print()
        stdout.print(
            "Try next: [bold]capa case advance 3 contain --field "
            "containment='Sorted stock'[/] and [bold]capa case show 3[/]",
            highlight=False,
        )

    run(env, body)
