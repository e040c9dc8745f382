"""`capa incident ...`: emergency incidents under their contingency plans, and drills
(docs/architecture.md, "Service quality control")."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

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
from capaflow.documents.incidents import (
    DrillsPublic,
    IncidentPublic,
    incident_document,
    incident_summaries,
    plan_documents,
)
from capaflow.errors import BadInput
from capaflow.incidents import response
from capaflow.incidents.drills import drill_clocks, remind_due_drills
from capaflow.incidents.plans import Plans, load_plans

app = typer.Typer(help="Emergency incidents, their contingency plans and drills.",
                  no_args_is_help=True)

IncidentId = Annotated[int, typer.Argument(help="Incident number.")]


def _plans(env: Env) -> Plans:
    return load_plans(env.runtime.policies)


def _print(env: Env, document: IncidentPublic, said: str) -> None:
    if env.as_json:
        print_json(document.as_json())
        return
    stdout.print(said, highlight=False)
    table = Table("step", "action", "role", "due", "done", "late")
    for s in document.steps:
        table.add_row(str(s.number), s.action, s.role, readable(s.due_at),
                      readable(s.done_at) if s.done_at else s.status,
                      "LATE" if s.late else "")
    stdout.print(table)


@app.command("declare")
def declare(
    type: Annotated[str, typer.Option("--type", help="Incident type (a plan of [incidents]).")],
    severity: Annotated[str, typer.Option("--severity", help="Severity, e.g. S1.")],
    title: Annotated[str | None, typer.Option("--title", help="What happened.")] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="Department (default: the plan's).")
    ] = None,
    drill: Annotated[bool, typer.Option("--drill", help="Record a drill of the plan.")] = False,
    by: ActorOpt = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Declare an incident: the on-call roles are told at once and each step of the plan is
    owed within its target."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        plans = _plans(env)
        with env.transaction() as session:
            view = response.declare(
                session, plans=plans, departments=tuple(env.runtime.policies.departments),
                policy=env.deadline_policy, type=type, severity=severity, title=title,
                department=department, drill=drill, actor=env.actor, now=env.now)
            document = incident_document(session, view, env.now)
        what = "Drill" if document.drill else "Incident"
        _print(env, document, f"{what} #{document.id} declared ({document.type}, "
                              f"{document.severity}); the on-call roles are notified.")

    run(env, body)


@app.command("step")
def step(
    incident_id: IncidentId,
    number: Annotated[int, typer.Argument(help="Step number of the plan.")],
    done: Annotated[bool, typer.Option("--done", help="The step is done.")] = False,
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
    by: ActorOpt = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Record a step of the plan done (in any order; once)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        if not done:
            raise BadInput("done: say --done to record the step done", field="done")
        with env.transaction() as session:
            view = response.step_done(session, policy=env.deadline_policy,
                                      case_id=incident_id, number=number, note=note,
                                      actor=env.actor, now=env.now)
            document = incident_document(session, view, env.now)
        _print(env, document, f"Step {number} of incident #{incident_id} done.")

    run(env, body)


@app.command("close")
def close(
    incident_id: IncidentId,
    summary: Annotated[str, typer.Option("--summary", help="How the incident ended.")],
    by: ActorOpt = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Close the response; the post-incident review is then owed."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        plans = _plans(env)
        with env.transaction() as session:
            view = response.close(session, plans=plans, policy=env.deadline_policy,
                                  case_id=incident_id, summary=summary, actor=env.actor,
                                  now=env.now)
            document = incident_document(session, view, env.now)
        due = readable(document.review_due_at) if document.review_due_at else "-"
        _print(env, document, f"Incident #{incident_id} closed; review owed by {due}.")

    run(env, body)


@app.command("cancel")
def cancel(
    incident_id: IncidentId,
    reason: Annotated[str, typer.Option("--reason", help="Why it was declared in error.")],
    by: ActorOpt = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Cancel an incident declared in error: nothing more is owed."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            view = response.cancel(session, policy=env.deadline_policy, case_id=incident_id,
                                   reason=reason, actor=env.actor, now=env.now)
            document = incident_document(session, view, env.now)
        _print(env, document, f"Incident #{incident_id} cancelled.")

    run(env, body)


@app.command("review")
def review(
    incident_id: IncidentId,
    cause: Annotated[str, typer.Option("--cause", help="What caused it.")],
    factor: Annotated[str, typer.Option(
        "--factor",
        help="people, machines, materials, methods, environment or measurement.")],
    open_action: Annotated[
        str | None, typer.Option("--open", help="Open an 8D case (8d) or a PDCA cycle (pdca).")
    ] = None,
    by: ActorOpt = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Record the post-incident review; it may open an 8D case or a PDCA cycle."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            view = response.review(session, policy=env.deadline_policy, case_id=incident_id,
                                   cause=cause, factor=factor, open_action=open_action,
                                   actor=env.actor, now=env.now)
            document = incident_document(session, view, env.now)
        opened = (f"; case #{document.corrective_case} opened" if document.corrective_case
                  else "")
        _print(env, document, f"Incident #{incident_id} reviewed{opened}.")

    run(env, body)


@app.command("show")
def show(
    incident_id: IncidentId,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """An incident, its steps' clocks and its review."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            document = incident_document(session, response.get_incident(session, incident_id),
                                         env.now)
        _print(env, document, f"Incident #{document.id} ({document.type}, {document.severity}"
                              f"{', drill' if document.drill else ''}): {document.title} — "
                              f"{document.state}")

    run(env, body)


@app.command("list")
def list_command(
    open_only: Annotated[bool, typer.Option("--open", help="Only those not yet reviewed.")] = False,
    drills: Annotated[bool, typer.Option("--drills", help="Drills instead of incidents.")] = False,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """Incidents (or drills), open ones first."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            documents = incident_summaries(
                session, response.list_incidents(session, open_only=open_only, drills=drills),
                env.now)
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table("id", "type", "severity", "state", "declared", "steps late")
        for d in documents:
            table.add_row(str(d.id), d.type, d.severity, d.state, readable(d.declared_at),
                          str(d.steps_late))
        stdout.print(table)

    run(env, body)


@app.command("plans")
def plans_command(
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The contingency plans: their steps, last drill and when the next is due."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        plans = _plans(env)
        with env.transaction() as session:
            documents = plan_documents(plans, drill_clocks(session, plans=plans, now=env.now))
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table("type", "title", "steps", "last drill", "next drill")
        for d in documents:
            table.add_row(d.type, d.title, str(len(d.steps)),
                          readable(d.last_drill) if d.last_drill else "never",
                          ("DUE " if d.drill_due else "")
                          + (readable(d.next_drill_due) if d.next_drill_due else "now"))
        stdout.print(table)

    run(env, body)


@app.command("drills")
def drills_command(
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Remind every plan whose drill is due (once per period) and list them."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        plans = _plans(env)
        with env.transaction() as session:
            reminded = remind_due_drills(session, plans=plans, now=env.now)
            documents = plan_documents(plans, drill_clocks(session, plans=plans, now=env.now))
        reminded_codes = {c.plan.code for c in reminded}
        if env.as_json:
            print_json(DrillsPublic(reminded=sorted(reminded_codes),
                                    due=[d for d in documents if d.drill_due]).as_json())
            return
        for d in documents:
            if d.drill_due:
                stdout.print(f"Drill due: {d.type} ({d.title})"
                             + (" — reminded now" if d.type in reminded_codes else ""),
                             highlight=False)

    run(env, body)
