"""`capa work ...`: work items and their three-level checks (docs/architecture.md, "Service
quality control")."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.cli.common import ActorOpt, ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run
from capaflow.cli.common import stdout as out
from capaflow.documents.workchecks import WorkItemPublic, work_item_document
from capaflow.workchecks.items import get_item, list_items, open_item, record_check

work_app = typer.Typer(help="Work items and their three-level checks: self, mutual, "
                            "specialist.", no_args_is_help=True)

ItemId = Annotated[int, typer.Argument(help="Work item number.")]


def _print(env: Env, document: WorkItemPublic) -> None:
    if env.as_json:
        print_json(document.as_json())
        return
    out.print(f"Work item {document.id}: {document.title}: {document.state} "
              f"({document.department}{', team ' + document.team if document.team else ''})",
              highlight=False)
    for check in document.checks:
        out.print(f"  round {check.round} {check.level}: "
                  f"{'pass' if check.passed else 'FAIL'} by {check.checked_by} "
                  f"({check.team})"
                  + (f" items {', '.join(check.failed_items)}" if check.failed_items else "")
                  + (f": {check.note}" if check.note else ""), highlight=False)
    out.print(f"  next: {document.next_level or 'none'}", highlight=False)


@work_app.command("open")
def work_open(
    title: Annotated[str, typer.Option("--title", help="What the work is.")],
    department: Annotated[str, typer.Option("--department", help="Department code.")],
    team: Annotated[str | None, typer.Option("--team", help="The team doing the work.")] = None,
    request: Annotated[
        int | None, typer.Option("--request", help="The service request it serves.")
    ] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Open a work item: its self check is owed first."""
    env = Env(as_json, db, now, config, actor)

    def body() -> None:
        with env.transaction() as session:
            document = work_item_document(open_item(
                session, policies=env.runtime.policies, policy=env.deadline_policy,
                title=title, department=department, team=team, request_id=request,
                actor=env.actor, now=env.now))
        _print(env, document)

    run(env, body)


@work_app.command("check")
def work_check(
    item_id: ItemId,
    level: Annotated[str, typer.Option("--level", help="self, mutual or specialist.")],
    result: Annotated[str, typer.Option("--result", help="pass or fail.")],
    by: Annotated[str, typer.Option("--by", help="Who checked (a person of the register).")],
    note: Annotated[str | None, typer.Option("--note", help="What the check found.")] = None,
    failed: Annotated[
        str | None, typer.Option("--failed-items", help="Comma-separated standard item codes "
                                                        "not met.")
    ] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Record a check: a later level only after the earlier passed; a failure means rework."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            document = work_item_document(record_check(
                session, policy=env.deadline_policy, case_id=item_id,
                level=level.strip().lower(), result=result.strip().lower(), by=by.strip(),
                note=note, failed_items=failed, actor=env.actor, now=env.now))
        _print(env, document)

    run(env, body)


@work_app.command("show")
def work_show(item_id: ItemId, as_json: JsonOpt = False, db: DbOpt = None,
              now: NowOpt = None) -> None:
    """A work item and its checks in order."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            document = work_item_document(get_item(session, item_id))
        _print(env, document)

    run(env, body)


@work_app.command("list")
def work_list(
    state: Annotated[str | None, typer.Option("--state", help="Only items in this state.")] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="Only this department's.")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Work items, the newest first."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            documents = [work_item_document(v) for v in list_items(
                session, state=state, department=department)]
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table("id", "title", "state", "department", "team", "next")
        for d in documents:
            table.add_row(str(d.id), d.title, d.state, d.department, d.team or "-",
                          d.next_level or "-")
        out.print(table)

    run(env, body)
