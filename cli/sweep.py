"""`capa sweep`: act once on every deadline that is due now."""

from __future__ import annotations

from typing import Annotated

import typer

from capaflow.casework.sweep import sweep, sweep_settings
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout


def sweep_command(
    batch_size: Annotated[
        int | None,
        typer.Option("--batch-size", min=1, max=100_000,
                     help="Deadlines per transaction (default: [sweep] batch_size).",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Remind, escalate, review and close: everything due at --now, each once."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        settings = sweep_settings(env.policies)
        report = sweep(
            env.engine(), now=env.now, policy=env.deadline_policy,
            batch_size=batch_size or settings.batch_size, actor=settings.actor,
        )
        if env.as_json:
            print_json({"now": env.now, **report.as_json()})
            return
        stdout.print(
            f"Swept at {env.now:%Y-%m-%d %H:%M} UTC: {report.reminders} reminder(s), "
            f"{report.escalations} escalation(s), {report.reviews} review(s), "
            f"{report.closures} case(s) closed.",
            highlight=False,
        )
        for action in report.actions:
            if action["action"] != "none":
                detail = f" level {action['level']}" if "level" in action else ""
                stdout.print(f"  case #{action['case']}: {action['action']}{detail} "
                             f"({action['key']})", highlight=False, markup=False)

    run(env, body)
