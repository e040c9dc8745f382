"""`capa db`, `capa lifecycle`, `capa audit`, `capa config`: running and checking the system."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from capaflow.audittrail.chain import verify
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from capaflow.errors import MAX_ID, BadInput
from capaflow.models.db import upgrade
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.lifecycle import mermaid

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
lifecycle_app = typer.Typer(help="The lifecycles: states, steps, content.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
config_app = typer.Typer(help="The policies in force.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None) -> None:
    """Create or migrate the schema to the newest version (safe to run again)."""
    env = Env(as_json, db, now)

    def body() -> None:
        try:
            upgrade(env.url)
        except Exception as exc:  # alembic raises many kinds; all mean "could not migrate"
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise BadInput(f"db: cannot migrate {env.shown_url}: {reason}", field="db") from exc
        if env.as_json:
            print_json({"database": env.shown_url, "status": "up to date"})
        else:
            stdout.print(f"Database {env.shown_url} is up to date.", highlight=False)

    run(env, body)


@lifecycle_app.command("show")
def lifecycle_show(
    name: Annotated[str, typer.Argument(help="8d or pdca.")],
    as_mermaid: Annotated[bool, typer.Option("--mermaid", help="Print a Mermaid diagram.")] = (
        False
    ),
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """A lifecycle's states, triggers and the content each trigger needs."""
    env = Env(as_json, db, now)

    def body() -> None:
        lifecycle = LIFECYCLES.get(name.lower())
        if lifecycle is None:
            raise BadInput(
                f"lifecycle: '{name}' is not one of {', '.join(LIFECYCLES)}", field="lifecycle"
            )
        if as_mermaid:
            typer.echo(mermaid(lifecycle), nl=False)
            return
        states: list[dict[str, Any]] = [
            {"name": s, "discipline": lifecycle.disciplines.get(s),
             "triggers": list(lifecycle.allowed(s))}
            for s in lifecycle.states
        ]
        triggers: list[dict[str, Any]] = [
            {
                "name": t,
                "transitions": [
                    {"source": s.source, "dest": s.dest, "conditions": list(s.conditions)}
                    for s in lifecycle.steps if s.trigger == t
                ],
                "required_fields": list(lifecycle.fields[t].required)
                if t in lifecycle.fields else [],
                "optional_fields": list(lifecycle.fields[t].optional)
                if t in lifecycle.fields else [],
            }
            for t in lifecycle.triggers
        ]
        document = {
            "name": lifecycle.name,
            "title": lifecycle.title,
            "initial": lifecycle.initial,
            "final": list(lifecycle.final),
            "states": states,
            "triggers": triggers,
            "choices": {k: list(v) for k, v in lifecycle.choices.items()},
        }
        if env.as_json:
            print_json(document)
            return
        table = Table(title=lifecycle.title, title_justify="left")
        for column in ("state", "stands for", "triggers"):
            table.add_column(column)
        for state in states:
            table.add_row(state["name"], state["discipline"] or "", ", ".join(state["triggers"]))
        stdout.print(table)
        needs = Table(title="What each step needs", title_justify="left")
        for column in ("trigger", "required", "optional"):
            needs.add_column(column)
        for t in triggers:
            needs.add_row(t["name"], ", ".join(t["required_fields"]),
                          ", ".join(t["optional_fields"]))
        stdout.print(needs)

    run(env, body)


@audit_app.command("verify")
def audit_verify(
    case_id: Annotated[
        int | None, typer.Option("--case", help="Only this case.", show_default=False,
                                 min=1, max=MAX_ID)
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Recompute every hash chain; exit 1 and name the first bad event if one does not match."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            result = verify(session, case_id=case_id)
        breaks = [
            {"case": b.case_id, "seq": b.seq, "event_id": b.event_id, "problem": b.problem}
            for b in result.breaks
        ]
        if env.as_json:
            print_json(
                {"ok": result.ok, "cases": result.cases, "events": result.events, "breaks": breaks}
            )
        elif result.ok:
            stdout.print(
                f"Audit trail intact: {result.cases} case(s), {result.events} event(s).",
                highlight=False,
            )
        else:
            for b in breaks:
                stdout.print(
                    f"[red]case #{b['case']}: event {b['seq']} — {b['problem']}[/]",
                    highlight=False,
                )
        if not result.ok:
            # Not a refusal of input: the check ran and found tampering, like `diff` finding
            # a difference. Scripts test for a non-zero exit.
            raise typer.Exit(1)

    run(env, body)


@config_app.command("show")
def config_show(
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The policies in force: config/default.toml with the site's override merged in."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        # Every section is checked (the typed model, then the rules on top of it): a bad
        # override is refused here (exit 2), naming its key.
        env.runtime.check_policies()
        if env.as_json:
            print_json(env.policies)
        else:
            stdout.print_json(data=env.policies)

    run(env, body)
