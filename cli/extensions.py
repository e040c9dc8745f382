"""`capa extension ...`: the requests for more time on an obligation, and the lead's signed
decision on each (docs/architecture.md, "Edits and extensions")."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.calendars import readable
from capaflow.casework.extensions import decide_extension, extension_deadlines, list_extensions
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
from capaflow.cli.signing import PasswordStdinOpt, read_password, signer
from capaflow.documents.extensions import (
    ExtensionListPublic,
    ExtensionPublic,
    extension_document,
)
from capaflow.errors import MAX_ID

app = typer.Typer(help="Requests for more time on an obligation, and their decision.",
                  no_args_is_help=True)


def print_extension(document: ExtensionPublic, env: Env) -> None:
    if env.as_json:
        print_json(document.as_json())
        return
    due = readable(document.due_now) if document.due_now else "-"
    stdout.print(f"Extension #{document.id} on case #{document.case} ({document.step}): "
                 f"{document.status}; due {due}", highlight=False, markup=False)


@app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(
        "--status", help="open, approved, refused or granted.")] = None,
    case: Annotated[int | None, typer.Option("--case", min=1, max=MAX_ID)] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """The requests for more time, newest first (those waiting for you: --status open)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            found = list_extensions(session, status=status, case_id=case)
            deadlines = extension_deadlines(session, found)
            documents = [extension_document(e, deadlines.get(e.deadline_id)) for e in found]
        if env.as_json:
            print_json(ExtensionListPublic(extensions=documents).as_json())
            return
        table = Table("#", "case", "obligation", "status", "asked by", "due", "asked until",
                      "reason")
        for d in documents:
            table.add_row(str(d.id), str(d.case), d.step, d.status, d.requested_by,
                          readable(d.due_before), readable(d.proposed_due), d.reason)
        stdout.print(table)

    run(env, body)


def _decide(extension_id: int, approve: bool, reason: str, password_stdin: bool,
            env: Env) -> None:
    def body() -> None:
        password = read_password(password_stdin)
        with env.transaction() as session:
            result = decide_extension(
                session, principal=signer(session, env), extension_id=extension_id,
                approve=approve, reason=reason, password=password, now=env.now,
                policy=env.deadline_policy,
            )
            document = extension_document(result.extension, result.deadline)
        print_extension(document, env)

    run(env, body)


@app.command("approve")
def approve_command(
    extension_id: Annotated[int, typer.Argument(help="Request number.", min=1, max=MAX_ID)],
    reason: Annotated[str, typer.Option("--reason", help="Why it is granted.")],
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Grant the time asked for (signed): the obligation is due at the date asked, and its
    reminders and escalations start again; the supplier is told."""
    _decide(extension_id, True, reason, password_stdin, Env(as_json, db, now, config, by))


@app.command("refuse")
def refuse_command(
    extension_id: Annotated[int, typer.Argument(help="Request number.", min=1, max=MAX_ID)],
    reason: Annotated[str, typer.Option("--reason", help="Why it is refused.")],
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Refuse the request (signed): the obligation stays due as it was; the supplier is told."""
    _decide(extension_id, False, reason, password_stdin, Env(as_json, db, now, config, by))
