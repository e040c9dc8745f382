"""`capa training ...`: the training items low follow-up scores give the people who handled
the requests (docs/architecture.md, "Service desk")."""

from __future__ import annotations

from typing import Annotated

import typer

from capaflow.calendars import readable
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
from capaflow.documents.service import training_document
from capaflow.errors import MAX_ID
from capaflow.servicedesk.feedback import mark_training_done

training_app = typer.Typer(help="Targeted training after low follow-up scores.",
                           no_args_is_help=True)

TrainingId = Annotated[int, typer.Argument(help="Training item number.", min=1, max=MAX_ID)]


@training_app.command("done")
def training_done(
    item_id: TrainingId,
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Mark a training item done: its deadline is met and the sweep stops chasing it."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            item = mark_training_done(session, policy=env.deadline_policy, item_id=item_id,
                                      note=note, actor=env.actor, now=env.now)
            document = training_document(item, env.now)
        if env.as_json:
            print_json(document.as_json())
        else:
            stdout.print(f"Training item #{document.id} ({document.person}, "
                         f"{document.dimension}) done {readable(document.done_at)}.",
                         highlight=False)

    run(env, body)
