"""`capa case ...`: open, advance, show, list, history, report."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from capaflow.calendars import readable
from capaflow.casework.decisions import advance_as
from capaflow.casework.edits import edit_case
from capaflow.casework.engine import StepResult, advance, get_case, needs_signature, open_case
from capaflow.casework.extensions import extend_directly, parse_until
from capaflow.cli.common import (
    ActorOpt,
    ConfigOpt,
    DbOpt,
    Env,
    JsonOpt,
    NowOpt,
    parse_fields,
    print_json,
    run,
    stdout,
)
from capaflow.cli.extensions import print_extension
from capaflow.cli.signing import PasswordStdinOpt, read_password, signer
from capaflow.cli.views import deadlines_table, events_table
from capaflow.deadlines.status import deadline_status
from capaflow.documents.cases import (
    case_document,
    case_list,
    history_document,
    report_document,
    step_document,
)
from capaflow.documents.extensions import extension_document
from capaflow.errors import MAX_ID, BadInput, Conflict
from capaflow.models import Supplier
from capaflow.models.queries import (
    case_deadlines,
    case_events,
    list_cases,
    next_due,
    suppliers_by_id,
)
from capaflow.reports import markdown
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.guards import check_fields
from capaflow.suppliers.registry import get_supplier, supplier_of

app = typer.Typer(help="Open cases, take their steps, and read them.", no_args_is_help=True)


def _print_step(result: StepResult, env: Env, supplier: Supplier | None) -> None:
    if env.as_json:
        print_json(step_document(result.case, result.event, result.deadlines, supplier,
                                 env.now).as_json())
        return
    case, event = result.case, result.event
    moved = (
        f"{event.from_state} → {event.to_state}" if event.from_state
        else f"opened in {event.to_state}"
    )
    stdout.print(f"Case #{case.id} [bold]{moved}[/] (version {case.version})", highlight=False)
    changes = result.deadlines
    for label, rows in (("met", changes.met), ("owed again", changes.reinstated),
                        ("started", changes.started), ("cancelled", changes.cancelled)):
        for d in rows:
            when = f"due {readable(d.due_at)}"
            if label == "met":
                when += " — on time" if d.met_on_time else " — LATE"
            stdout.print(f"  {label}: {d.title} ({when})", highlight=False, markup=False)


@app.command("open")
def open_command(
    title: Annotated[str, typer.Option("--title", help="What went wrong, in a line.")],
    lifecycle: Annotated[str, typer.Option("--lifecycle", help="8d or pdca.")] = "8d",
    supplier: Annotated[str | None, typer.Option("--supplier", help="Supplier code.")] = None,
    part: Annotated[str | None, typer.Option("--part")] = None,
    defect_code: Annotated[str | None, typer.Option("--defect-code")] = None,
    severity: Annotated[str, typer.Option("--severity", help="minor, major or critical.")] = (
        "major"
    ),
    complex_cause: Annotated[
        bool, typer.Option("--complex", help="A complex cause: 10 days for the countermeasure.")
    ] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="Who drives the case.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="D1 team, comma-separated.")] = None,
    problem: Annotated[str | None, typer.Option("--problem", help="D2 problem description.")] = (
        None
    ),
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Open a case (D0-D2); an 8D case starts in containment with its 24 h clock running."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            result = open_case(
                session,
                lifecycle=lifecycle.lower(),
                title=title,
                supplier_code=supplier,
                part=part,
                defect_code=defect_code,
                severity=severity.lower(),
                complex_cause=complex_cause,
                owner=owner,
                team=team,
                problem=problem,
                actor=env.actor,
                now=env.now,
                policy=env.deadline_policy,
            )
            case_supplier = supplier_of(session, result.case)
        _print_step(result, env, case_supplier)

    run(env, body)


def _is_signed_decision(session: Session, case_id: int, trigger: str,
                        version: int | None, fields: dict[str, str]) -> bool:
    """Whether the step ends the case, so a password must be asked for; a stale --version
    is refused first, as the step would be, without asking for a password for nothing."""
    case = get_case(session, case_id)
    if version is not None and version != case.version:
        raise Conflict(
            f"case {case_id} is at version {case.version}, not {version}: "
            "someone else updated it; reload and try again",
            field="version",
        )
    machine = LIFECYCLES[case.lifecycle]
    signed = trigger in machine.triggers and needs_signature(machine, case.state, trigger)
    if signed:
        # A missing field is named before the password is asked for, as on the pages.
        check_fields(machine, trigger, fields)
    return signed


@app.command("advance")
def advance_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    trigger: Annotated[str, typer.Argument(help="The step to take, e.g. contain.")],
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Step content NAME=VALUE (repeatable).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A free note.")] = None,
    version: Annotated[
        int | None,
        typer.Option("--version", help="Refuse (exit 4) unless the case is at this version.",
                     min=0, max=MAX_ID),
    ] = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Take one step of a case's lifecycle, with the content the step needs.

    A step that ends the case (close, cancel, standardize, accept, ...) is a signed decision:
    --by names your user account and your password is asked for (or read with
    --password-stdin)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        fields = parse_fields(field)
        step = trigger.strip().lower()
        with env.transaction() as session:
            signed = _is_signed_decision(session, case_id, step, version, fields)
        password = read_password(password_stdin) if signed else None
        with env.transaction() as session:
            if signed:
                result = advance_as(
                    session, principal=signer(session, env), case_id=case_id, trigger=step,
                    fields=fields, note=note, password=password, now=env.now,
                    policy=env.deadline_policy, expected_version=version,
                )
            else:
                result = advance(
                    session, case_id=case_id, trigger=step, fields=fields, note=note,
                    actor=env.actor, now=env.now, policy=env.deadline_policy,
                    expected_version=version,
                )
            supplier = supplier_of(session, result.case)
        _print_step(result, env, supplier)

    run(env, body)


@app.command("show")
def show_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """A case: its state, what it owes and by when, and its events."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            case = get_case(session, case_id)
            supplier = supplier_of(session, case)
            deadlines = case_deadlines(session, case_id)
            events = case_events(session, case_id)
        document = case_document(case, supplier, deadlines, events, env.now)
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(
            f"[bold]Case #{case.id}[/] {case.title}\n"
            f"  {LIFECYCLES[case.lifecycle].title}; state [bold]{case.state}[/] "
            f"({document.discipline}); version {case.version}\n"
            f"  supplier {document.supplier or '-'}, part {case.part or '-'}, "
            f"defect {case.defect_code or '-'}, {case.severity}, {case.complexity}, "
            f"owner {case.owner or '-'}\n"
            f"  next steps: {', '.join(document.allowed_triggers) or '-'}",
            highlight=False,
        )
        stdout.print(deadlines_table(deadlines, env.now))
        stdout.print(events_table(events))

    run(env, body)


@app.command("list")
def list_command(
    state: Annotated[str | None, typer.Option("--state")] = None,
    supplier: Annotated[str | None, typer.Option("--supplier", help="Supplier code.")] = None,
    lifecycle: Annotated[str | None, typer.Option("--lifecycle")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only cases with a deadline past due.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 500,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Cases, filtered by state, supplier, lifecycle or overdue."""
    env = Env(as_json, db, now)

    def body() -> None:
        if lifecycle is not None and lifecycle not in LIFECYCLES:
            raise BadInput(
                f"lifecycle: '{lifecycle}' is not one of {', '.join(LIFECYCLES)}",
                field="lifecycle",
            )
        known_states = {s for lc in LIFECYCLES.values() for s in lc.states}
        if state is not None and state not in known_states:
            raise BadInput(
                f"state: '{state}' is not a state ({', '.join(sorted(known_states))})",
                field="state",
            )
        with env.transaction() as session:
            supplier_id = get_supplier(session, supplier).id if supplier else None
            cases = list_cases(
                session, now=env.now, state=state, supplier_id=supplier_id,
                lifecycle=lifecycle, overdue=overdue, limit=limit,
            )
            ids = [c.id for c in cases if c.id is not None]
            due = next_due(session, ids)
            suppliers = suppliers_by_id(
                session, {c.supplier_id for c in cases if c.supplier_id is not None}
            )
        rows = case_list(cases, suppliers, due, env.now)
        if env.as_json:
            print_json([row.as_json() for row in rows])
            return
        table = Table(title=f"{len(rows)} case(s)", title_justify="left")
        for column in ("#", "type", "state", "title", "supplier", "part", "next due", ""):
            table.add_column(column)
        for row, case in zip(rows, cases, strict=True):
            nxt = due.get(case.id or 0)
            status = deadline_status(nxt, env.now) if nxt else ""
            table.add_row(
                str(row.id), row.lifecycle, row.state, row.title,
                row.supplier or "", row.part or "",
                f"{nxt.title}: {readable(nxt.due_at)}" if nxt else "",
                status, style="red" if status == "overdue" else None,
            )
        stdout.print(table)

    run(env, body)


@app.command("history")
def history_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """The audit trail of a case: every step, who took it, when, and its chain hash."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            get_case(session, case_id)
            events = case_events(session, case_id)
        if env.as_json:
            print_json(history_document(case_id, events).as_json())
        else:
            stdout.print(events_table(events, hashes=True))

    run(env, body)


@app.command("report")
def report_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """The case as a Markdown 8D report (or PDCA record)."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            case = get_case(session, case_id)
            supplier = supplier_of(session, case)
            text = markdown.render(
                case, supplier, case_events(session, case_id), case_deadlines(session, case_id)
            )
        if env.as_json:
            print_json(report_document(case_id, text).as_json())
        else:
            typer.echo(text)

    run(env, body)


@app.command("edit")
def edit_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    reason: Annotated[str, typer.Option("--reason", help="Why the case is changed.")],
    owner: Annotated[str | None, typer.Option("--owner", help="New owner (a user).")] = None,
    severity: Annotated[str | None, typer.Option("--severity",
                                                  help="minor, major or critical.")] = None,
    part: Annotated[str | None, typer.Option("--part")] = None,
    complexity: Annotated[str | None, typer.Option("--complexity",
                                                    help="general or complex.")] = None,
    defect_code: Annotated[str | None, typer.Option("--defect-code")] = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Change an open case's owner, severity, part, complexity or defect code: a signed
    decision (--by your user; your password is asked for, or read with --password-stdin)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        password = read_password(password_stdin)
        with env.transaction() as session:
            result = edit_case(
                session, principal=signer(session, env), case_id=case_id,
                changes={"owner": owner, "severity": severity, "part": part,
                         "complexity": complexity, "defect_code": defect_code},
                reason=reason, password=password, now=env.now, policy=env.deadline_policy,
            )
            supplier = supplier_of(session, result.case)
        if env.as_json:
            _print_step(result, env, supplier)
            return
        stdout.print(f"Case #{case_id} edited (version {result.case.version})",
                     highlight=False)
        for name, change in result.event.fields["changes"].items():
            stdout.print(f"  {name.replace('_', ' ')}: {change['old'] or '-'} → {change['new']}",
                         highlight=False, markup=False)
        for moved in result.event.fields.get("deadlines_moved", []):
            stdout.print(f"  {moved['title']}: due {moved['old_due']} → {moved['new_due']}",
                         highlight=False, markup=False)

    run(env, body)


@app.command("extend")
def extend_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    step: Annotated[str, typer.Option("--step", help="The obligation, e.g. "
                                                      "long_term_countermeasure.")],
    until: Annotated[str, typer.Option("--until", help="New due: YYYY-MM-DD or an ISO time.")],
    reason: Annotated[str, typer.Option("--reason", help="Why more time is given.")],
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Give more time on an open obligation of a case, as the lead's signed decision; its
    reminders and escalations start again for the new due time."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        due = parse_until(until, env.deadline_policy.calendar)
        password = read_password(password_stdin)
        with env.transaction() as session:
            result = extend_directly(
                session, principal=signer(session, env), case_id=case_id,
                step=step.strip(), until=due, reason=reason, password=password,
                now=env.now, policy=env.deadline_policy,
            )
            document = extension_document(result.extension, result.deadline)
        print_extension(document, env)

    run(env, body)
