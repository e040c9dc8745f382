"""`capa demo seed` and `capa demo walkthrough`: the demo data set and a tour of it."""

from __future__ import annotations

import shlex
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.rule import Rule
from sqlalchemy.engine import make_url
from sqlmodel import Session

from capaflow.cli import admin, cases
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from capaflow.demo.accounts import seed_accounts
from capaflow.demo.checks import seed_checks
from capaflow.demo.desk import seed_service_desk
from capaflow.demo.grades import seed_grades
from capaflow.demo.seed import is_empty, seed
from capaflow.demo.simulation import Line, simulate
from capaflow.errors import BadInput
from capaflow.inspection.policy import load_inspection_policy
from capaflow.intake.policy import load_intake_policy
from capaflow.models.db import dispose_engines, get_engine, upgrade
from capaflow.scorecards.policy import load_scorecard_policy
from capaflow.targets.policy import review_policy

app = typer.Typer(
    help="Eight simulated months (with no subcommand), demo data and a guided tour.",
    invoke_without_command=True,
)


@app.callback()
def simulate_command(
    ctx: typer.Context,
    months: Annotated[int, typer.Option("--months", min=1, max=24)] = 8,
    as_json: JsonOpt = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="A new SQLite file to simulate in (default: a temporary one)."),
    ] = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Simulate eight months of cases, reminders, escalations, a recurrence and a closure."""
    if ctx.invoked_subcommand is not None:
        return
    env = Env(as_json, db, now, config)

    def body() -> None:
        with tempfile.TemporaryDirectory() as scratch:
            url = db or f"sqlite:///{Path(scratch) / 'demo.db'}"
            if not url.startswith("sqlite"):
                raise BadInput("db: the simulation runs on a new SQLite file only", field="db")
            path = Path(url.removeprefix("sqlite:///"))
            if path.exists() and path.stat().st_size > 0:
                raise BadInput(f"db: {path} exists; the simulation needs a new file",
                               field="db")
            upgrade(url)
            lines = simulate(get_engine(url), policy=env.deadline_policy,
                             intake=load_intake_policy(env.policies.get("intake")),
                             desk=env.desk, months=months,
                             policies=env.runtime.policies,
                             review=review_policy(env.runtime.policies))
            dispose_engines()
        if env.as_json:
            print_json([{"at": line.at, "case": line.case, "kind": line.kind,
                         "what": line.what} for line in lines])
            return
        _print_timeline(lines)
        if db:
            stdout.print(f"\nThe simulated data stays in {db}: try "
                         f"`capa case list --db {db}`.", highlight=False)

    run(env, body)


_STYLES = {"escalation": "bold red", "reminder": "yellow", "review": "cyan",
           "defect": "bold magenta", "step": "", "monthly_review": "bold cyan"}


def _print_timeline(lines: list[Line]) -> None:
    month = ""
    for line in lines:
        if f"{line.at:%B %Y}" != month:
            month = f"{line.at:%B %Y}"
            stdout.print(Rule(f"[bold]{month}[/]", align="left"))
        case = f"#{line.case}" if line.case else "  "
        style = _STYLES.get(line.kind, "")
        text = f"{line.at:%d %a %H:%M}  {case:>3}  {line.what}"
        stdout.print(f"[{style}]{escape(text)}[/]" if style else escape(text), highlight=False)


@app.command("seed")
def seed_command(
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None
) -> None:
    """Add the demo suppliers and cases, with a simulated history, if the database is empty,
    and the demo accounts if it has no users."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        with env.transaction() as session:
            empty = is_empty(session)
            seeded = seed(session, now=env.now, policy=env.deadline_policy) if empty else None
            requests = seed_service_desk(session, now=env.now, policy=env.deadline_policy,
                                         desk=env.desk) if empty else 0
            checks = seed_checks(session, now=env.now, policy=env.deadline_policy,
                                 policies=env.runtime.policies,
                                 desk=env.desk) if empty else {}
            if empty:
                _seed_grades(env, session)
            accounts = seed_accounts(session, now=env.now)
        if env.as_json:
            print_json({"seeded": seeded is not None,
                        "cases": seeded.cases if seeded else 0,
                        "suppliers": seeded.suppliers if seeded else 0,
                        "requests": requests,
                        "checks": checks,
                        "accounts": [a.name for a in accounts]})
            return
        if seeded:
            stdout.print(f"Seeded {seeded.suppliers} suppliers, {seeded.cases} demo cases and "
                         f"{requests} service requests.")
        else:
            stdout.print("The database already holds data; nothing seeded.")
        for account in accounts:
            stdout.print(f"Added the demo account {account.name} ({account.who}).",
                         highlight=False, markup=False)

    run(env, body)


def _seed_grades(env: Env, session: Session) -> None:
    """Months of grades behind the supplier page's chart (demo.grades)."""
    deadlines = env.deadline_policy
    seed_grades(
        session, now=env.now, policy=deadlines,
        inspection=load_inspection_policy(env.policies.get("inspection"),
                                          timezone=deadlines.calendar.timezone),
        intake=load_intake_policy(env.policies.get("intake")),
        scorecard=load_scorecard_policy(env.policies, deadlines.calendar, deadlines=deadlines))


def _shareable_url(url: str, shown: str) -> str:
    """The database URL as another shell in another folder can use it: a SQLite file by its
    absolute path, any other with its password masked (the person types theirs)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return shown
    return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string()


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
        # The tour runs under `make run`, whose environment a new shell does not have: say
        # which database and which `capa` (a second, empty database otherwise).
        where = shlex.quote(_shareable_url(env.runtime.url, env.runtime.shown_url))
        tools = shlex.quote(str(Path(sys.executable).parent))
        stdout.print("Try next, in another shell:", highlight=False)
        stdout.print(f"  [bold]export CAPA_DATABASE_URL={escape(where)} "
                     f"PATH={escape(tools)}:$PATH[/]", highlight=False, soft_wrap=True)
        stdout.print("  [bold]capa case advance 3 contain --field containment='Sorted stock'[/]",
                     highlight=False)
        stdout.print("  [bold]capa case show 3[/]", highlight=False)

    run(env, body)
