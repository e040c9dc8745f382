"""`capa db`, `capa lifecycle`, `capa audit`, `capa config`: running and checking the system."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from capaflow.audittrail.anchors import Anchor, read_anchor, take_anchor
from capaflow.audittrail.chain import verify
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from capaflow.errors import MAX_ID, BadInput
from capaflow.models.backup import Copied, backup, restore
from capaflow.models.db import upgrade
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.lifecycle import mermaid

db_app = typer.Typer(help="The database: its schema, backups.", no_args_is_help=True)
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


def _copied(env: Env, copied: Copied, done: str) -> None:
    if env.as_json:
        print_json({"path": copied.path, "revision": copied.revision, "rows": copied.rows,
                    "head": copied.head, "current": copied.current})
        return
    stdout.print(f"{done} ({copied.rows} rows, schema revision {copied.revision}).",
                 highlight=False)
    if not copied.current:
        stdout.print(f"Its schema is older than this capaflow's ({copied.head}); run "
                     "`capa db upgrade`.", highlight=False)


@db_app.command("backup")
def backup_command(
    path: Annotated[str, typer.Argument(help="The new backup file (never overwritten).")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Copy the SQLite database to PATH while it runs (SQLite's online backup). For
    PostgreSQL, the refusal says how with pg_dump."""
    env = Env(as_json, db, now)

    def body() -> None:
        copied = backup(env.url, path)
        _copied(env, copied, f"Backed {env.shown_url} up to {copied.path}")

    run(env, body)


@db_app.command("restore")
def restore_command(
    path: Annotated[str, typer.Argument(help="A backup made by `capa db backup`.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a database that holds data.")] = False,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Replace the SQLite database with the backup PATH, after checking it is an intact
    capaflow database at a known schema revision; a database holding data only with --force.
    For PostgreSQL, the refusal says how with pg_restore."""
    env = Env(as_json, db, now)

    def body() -> None:
        copied = restore(env.url, path, force=force)
        _copied(env, copied, f"Restored {env.shown_url} from {path}")

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


def _read_anchor(path: Path) -> Anchor:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"anchor: cannot read {path}: {exc}", field="anchor") from exc
    return read_anchor(text)


@audit_app.command("verify")
def audit_verify(
    case_id: Annotated[
        int | None, typer.Option("--case", help="Only this case.", show_default=False,
                                 min=1, max=MAX_ID)
    ] = None,
    anchor_file: Annotated[
        Path | None,
        typer.Option("--anchor", help="Also check against heads kept by `capa audit anchor`.",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Recompute every hash chain; exit 1 and name the first bad event if one does not match."""
    env = Env(as_json, db, now)

    def body() -> None:
        # The anchor file is input: unreadable or changed, it is refused (exit 2) before
        # anything is checked.
        anchor = _read_anchor(anchor_file) if anchor_file is not None else None
        with env.transaction() as session:
            result = verify(session, case_id=case_id, anchor=anchor)
        breaks = [
            {"case": b.case_id, "seq": b.seq, "event_id": b.event_id, "problem": b.problem}
            for b in result.breaks
        ]
        decision_breaks = [
            {"supplier": b.supplier, "supplier_id": b.supplier_id, "seq": b.seq,
             "decision_id": b.decision_id, "problem": b.problem}
            for b in result.decision_breaks
        ]
        if env.as_json:
            print_json(
                {"ok": result.ok, "cases": result.cases, "events": result.events,
                 "breaks": breaks, "decisions": result.decisions,
                 "decision_breaks": decision_breaks,
                 "anchor": anchor.at if anchor is not None else None}
            )
        elif result.ok:
            against = f", against the anchor of {anchor.at}" if anchor is not None else ""
            stdout.print(
                f"Audit trail intact: {result.cases} case(s), {result.events} event(s), "
                f"{result.decisions} supplier decision(s){against}.",
                highlight=False,
            )
        else:
            for b in breaks:
                where = f"event {b['seq']}" if b["seq"] is not None else "the case"
                stdout.print(
                    f"[red]case #{b['case']}: {where} — {b['problem']}[/]",
                    highlight=False,
                )
            for d in decision_breaks:
                where = f"decision {d['seq']}" if d["seq"] is not None else "the supplier"
                stdout.print(
                    f"[red]supplier {d['supplier']}: {where} — {d['problem']}[/]",
                    highlight=False,
                )
        if not result.ok:
            # Not a refusal of input: the check ran and found tampering, like `diff` finding
            # a difference. Scripts test for a non-zero exit.
            raise typer.Exit(1)

    run(env, body)


@audit_app.command("anchor")
def audit_anchor(
    export: Annotated[
        Path,
        typer.Option("--export", help="Write the heads of every chain to this file.",
                     show_default=False),
    ],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Write the head of every chain (cases, supplier decisions) to a file to keep elsewhere.

    `capa audit verify --anchor FILE` later finds a case deleted or a chain cut off since.
    """
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            document = take_anchor(session, now=env.now)
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        # Written beside the target, then renamed: a failed export leaves no half file.
        partial = export.with_name(export.name + ".partial")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(export)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BadInput(f"export: cannot write {export}: {exc}", field="export") from exc
        summary = {"anchor": str(export), "at": document["at"],
                   "cases": len(document["cases"]), "suppliers": len(document["suppliers"]),
                   "digest": document["digest"]}
        if env.as_json:
            print_json(summary)
        else:
            stdout.print(
                f"Anchored {summary['cases']} case(s) and {summary['suppliers']} supplier(s) "
                f"at {summary['at']} in {export} (digest {document['digest']}). Keep it "
                "where the database's users cannot write.",
                highlight=False,
            )

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
