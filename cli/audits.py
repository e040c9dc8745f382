"""`capa supplier-audit ...`: plan, conduct, findings, close (5M1E,
docs/architecture.md, "Quality rules").

Named supplier-audit because `capa audit` is the hash-chain check (`capa audit verify`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from capaflow.audits import (
    AuditPolicy,
    Failure,
    add_finding,
    cancel_audit,
    close_audit,
    close_finding,
    conduct_audit,
    load_audit_policy,
    plan_audit,
    show_audit,
)
from capaflow.calendars import parse_instant, readable
from capaflow.casework.engine import StepResult
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
from capaflow.documents.audits import audit_document, audit_steps_document
from capaflow.errors import MAX_ID, BadInput
from capaflow.models import AuditFinding, Supplier
from capaflow.suppliers.registry import supplier_of

app = typer.Typer(help="Supplier audits (5M1E): plan, conduct, findings, close.",
                  no_args_is_help=True)
finding_app = typer.Typer(help="Raise and close the findings of an audit.", no_args_is_help=True)
app.add_typer(finding_app, name="finding")

CaseArg = Annotated[int, typer.Argument(help="The audit's case number.", min=1, max=MAX_ID)]


def _policy(env: Env) -> AuditPolicy:
    return load_audit_policy(env.policies)


def _instant(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text, field=field)
    except ValueError as exc:
        raise BadInput(str(exc), field=field) from exc


def _print_steps(
    env: Env, steps: list[StepResult], findings: list[AuditFinding], supplier: Supplier | None,
) -> None:
    case = steps[-1].case
    if env.as_json:
        print_json(audit_steps_document(case, supplier, [s.event for s in steps], findings,
                                        env.now).as_json())
        return
    stdout.print(f"Audit #{case.id}: state [bold]{case.state}[/]", highlight=False)
    for finding in findings:
        stdout.print(f"  finding #{finding.id} {finding.item}: owner {finding.owner}, "
                     f"due {readable(finding.due_at)}", highlight=False, markup=False)


@app.command("checklist")
def checklist_command(
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The 5M1E checklist in force (`[audit.checklist]`), item ids for `--fail`."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        policy = _policy(env)
        if env.as_json:
            print_json({
                "finding_due": str(policy.finding_due),
                "items": [{"id": i.id, "factor": i.factor, "text": i.text}
                          for i in policy.checklist],
            })
            return
        table = Table(title="5M1E checklist", title_justify="left")
        for column in ("item", "what is checked"):
            table.add_column(column)
        for item in policy.checklist:
            table.add_row(item.id, item.text)
        stdout.print(table)

    run(env, body)


@app.command("plan")
def plan_command(
    supplier: Annotated[str, typer.Option("--supplier", help="Supplier code.")],
    title: Annotated[str | None, typer.Option("--title")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who leads the audit.")] = None,
    scope: Annotated[str | None, typer.Option("--scope", help="Site, lines, parts.")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Plan an on-site audit of a supplier (an audit case in `planned`)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            result = plan_audit(session, supplier_code=supplier, title=title, owner=owner,
                                scope=scope, actor=env.actor, now=env.now,
                                policy=env.deadline_policy)
            audited = supplier_of(session, result.case)
        _print_steps(env, [result], [], audited)

    run(env, body)


def _failures(pairs: list[str] | None) -> list[Failure]:
    failures = []
    for pair in pairs or []:
        item, sep, description = pair.partition("=")
        if not sep or not item.strip() or not description.strip():
            raise BadInput(f"fail: '{pair}' is not ITEM=WHAT WAS FOUND", field="fail")
        failures.append(Failure(item=item.strip(), description=description.strip()))
    return failures


@app.command("conduct")
def conduct_command(
    case_id: CaseArg,
    auditors: Annotated[str, typer.Option("--auditors", help="Who audited, comma-separated.")],
    fail: Annotated[
        list[str] | None,
        typer.Option("--fail", help="A failed item: ITEM=WHAT WAS FOUND (repeatable); "
                                    "every item not named passed."),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Who owes the findings (default: the audit's).")
    ] = None,
    site: Annotated[str | None, typer.Option("--site")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Record the audit's checklist results; failed items become findings."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        failures = _failures(fail)
        policy = _policy(env)
        with env.transaction() as session:
            result = conduct_audit(session, case_id=case_id, auditors=auditors,
                                   failures=failures, owner=owner, site=site, actor=env.actor,
                                   now=env.now, policy=env.deadline_policy,
                                   audit_policy=policy)
            audited = supplier_of(session, result.steps[-1].case)
        _print_steps(env, result.steps, result.findings, audited)

    run(env, body)


@finding_app.command("add")
def finding_add_command(
    case_id: CaseArg,
    item: Annotated[
        str, typer.Option("--item", help="Checklist item, e.g. methods.defect_handling.")
    ],
    description: Annotated[str, typer.Option("--description", help="What was found.")],
    owner: Annotated[str, typer.Option("--owner", help="Who owes the finding.")],
    due: Annotated[str | None, typer.Option("--due", help="ISO-8601; default [audit] "
                                                          "finding_due from now.")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Raise one more finding on a conducted audit."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        failure = Failure(item=item, description=description, owner=owner,
                          due_at=_instant(due, "due"))
        policy = _policy(env)
        with env.transaction() as session:
            step, finding = add_finding(session, case_id=case_id, failure=failure,
                                        actor=env.actor, now=env.now,
                                        policy=env.deadline_policy, audit_policy=policy)
            audited = supplier_of(session, step.case)
        _print_steps(env, [step], [finding], audited)

    run(env, body)


@finding_app.command("close")
def finding_close_command(
    finding_id: Annotated[int, typer.Argument(help="The finding's number.", min=1, max=MAX_ID)],
    resolution: Annotated[str, typer.Option("--resolution", help="How it was resolved.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Close a finding with its resolution."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            step, finding = close_finding(session, finding_id=finding_id, resolution=resolution,
                                          actor=env.actor, now=env.now,
                                          policy=env.deadline_policy)
            audited = supplier_of(session, step.case)
        _print_steps(env, [step], [finding], audited)

    run(env, body)


@app.command("close")
def close_command(
    case_id: CaseArg,
    summary: Annotated[str | None, typer.Option("--summary")] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Close the audit: refused (exit 4) while any finding is open."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            result = close_audit(session, case_id=case_id, summary=summary, actor=env.actor,
                                 now=env.now, policy=env.deadline_policy)
            audited = supplier_of(session, result.case)
        _print_steps(env, [result], [], audited)

    run(env, body)


@app.command("cancel")
def cancel_command(
    case_id: CaseArg,
    reason: Annotated[str, typer.Option("--reason")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Cancel an audit that will not take place or not be finished."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            result = cancel_audit(session, case_id=case_id, reason=reason, actor=env.actor,
                                  now=env.now, policy=env.deadline_policy)
            audited = supplier_of(session, result.case)
        _print_steps(env, [result], [], audited)

    run(env, body)


@app.command("show")
def show_command(
    case_id: CaseArg, as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None,
) -> None:
    """An audit: its state and every finding, with owner, due date and status."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            view = show_audit(session, case_id=case_id)
        if env.as_json:
            print_json(audit_document(view, env.now).as_json())
            return
        stdout.print(f"[bold]Audit #{view.case.id}[/] {view.case.title}\n"
                     f"  supplier {view.supplier or '-'}; state [bold]{view.case.state}[/]; "
                     f"{len(view.open_findings)} of {len(view.findings)} findings open",
                     highlight=False)
        table = Table(title="Findings", title_justify="left")
        for column in ("#", "item", "owner", "due", "status", "found"):
            table.add_column(column)
        for f in view.findings:
            late = " (overdue)" if f.status == "open" and f.due_at < env.now else ""
            table.add_row(str(f.id), f.item, f.owner, readable(f.due_at) + late, f.status,
                          f.description)
        stdout.print(table)

    run(env, body)
