"""`capa standard ...`: the service standards per department and position, imported from a
TOML or CSV file (docs/architecture.md, "Service quality control")."""

from __future__ import annotations

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
from capaflow.documents.standards import (
    StandardImportPublic,
    StandardPublic,
    standard_document,
    standard_list_document,
)
from capaflow.errors import MAX_ID, check_text
from capaflow.standards.catalogue import (
    catalogue,
    check_position,
    current_standard,
    standard_version,
)
from capaflow.standards.importing import import_standard

standard_app = typer.Typer(help="Service standards per department and position.",
                           no_args_is_help=True)

Department = Annotated[str, typer.Argument(help="Department code ([departments]).")]
Position = Annotated[str, typer.Argument(help="Position code within the department.")]


def _print_standard(document: StandardPublic) -> None:
    stdout.print(f"{document.title} — {document.department}/{document.position}, "
                 f"version {document.version}", highlight=False)
    table = Table("code", "item", "weight", "factor", "critical")
    for item in document.items:
        table.add_row(item.code, item.text, f"{item.weight:g}", item.factor,
                      "yes" if item.critical else "")
    stdout.print(table)


@standard_app.command("import")
def standard_import(
    file: Annotated[str, typer.Argument(help="A standard as .toml or .csv.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Import a standard: a new version if it differs from the current one, else nothing."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            imported = import_standard(session, policies=env.runtime.policies, path=file,
                                       actor=env.actor, now=env.now)
            document = StandardImportPublic(added=imported.added,
                                            standard=standard_document(imported.standard))
        if env.as_json:
            print_json(document.as_json())
        else:
            s = document.standard
            stdout.print(f"{s.department}/{s.position}: version {s.version} "
                         + ("added" if document.added else "unchanged (identical file)")
                         + f", {len(s.items)} items.", highlight=False)

    run(env, body)


@standard_app.command("show")
def standard_show(
    department: Department,
    position: Position,
    version: Annotated[int | None, typer.Option(
        "--version", help="A past version (default: the current one).", min=1,
        max=MAX_ID)] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Show a standard's items with their weight, 5M1E factor and critical flag."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        check_text("department", department, limit=60, required=True)
        check_text("position", position, limit=60, required=True)
        check_position(env.runtime.policies, department, position)
        with env.transaction() as session:
            found = (current_standard(session, department, position) if version is None
                     else standard_version(session, department, position, version))
            document = standard_document(found)
        if env.as_json:
            print_json(document.as_json())
        else:
            _print_standard(document)

    run(env, body)


@standard_app.command("list")
def standard_list(
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The current version of every standard."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        with env.transaction() as session:
            document = standard_list_document(catalogue(session))
        if env.as_json:
            print_json(document.as_json())
            return
        table = Table("department", "position", "title", "version", "items")
        for s in document.standards:
            table.add_row(s.department, s.position, s.title, str(s.version), str(s.items))
        stdout.print(table if document.standards else "no standards imported")

    run(env, body)
