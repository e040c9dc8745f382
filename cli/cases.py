"""`capa case ...`: open, advance, show, list, history, report; attach, files, file-get."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.attachments import (
    SHARED,
    Upload,
    attach,
    attachment_not_found,
    case_files,
    read_file,
    size_text,
)
from capaflow.calendars import readable
from capaflow.caselists.csvexport import cases_csv
from capaflow.caselists.filters import CONTRACT_LIST, parse_filter
from capaflow.caselists.search import find_cases
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
from capaflow.cli.views import comments_table, deadlines_table, events_table
from capaflow.conversation import case_comments, post_comment
from capaflow.deadlines.status import deadline_status
from capaflow.documents.attachments import attachment_document, attachment_list_document
from capaflow.documents.cases import (
    case_document,
    case_list,
    history_document,
    report_document,
    step_document,
)
from capaflow.documents.comments import comment_document
from capaflow.documents.extensions import extension_document
from capaflow.errors import MAX_ID, BadInput, Conflict
from capaflow.models import Supplier
from capaflow.models.queries import (
    case_deadlines,
    case_events,
    next_due,
    suppliers_by_id,
)
from capaflow.reports import markdown
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.guards import check_fields
from capaflow.suppliers.registry import supplier_of

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
            comments = case_comments(session, case_id=case_id, shared_only=False)
        document = case_document(case, supplier, deadlines, events, env.now, comments)
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
        zone = env.deadline_policy.calendar.zone
        stdout.print(deadlines_table(deadlines, env.now, zone))
        stdout.print(events_table(events, zone=zone))
        if comments:
            stdout.print(comments_table(comments, zone))

    run(env, body)


@app.command("comment")
def comment_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    body_text: Annotated[
        str, typer.Option("--body", help="The comment (1 to 5,000 characters).")
    ],
    internal: Annotated[
        bool, typer.Option("--internal", help="An internal note the supplier never reads.")
    ] = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: Annotated[
        str | None,
        typer.Option("--by", "--actor", envvar="CAPA_ACTOR",
                     help="Who writes it (default: your login).", show_default=False),
    ] = None,
) -> None:
    """Write on a case's conversation with its supplier: shared (the supplier's quality
    contact is told) or, with --internal, a note for the quality team only."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        # The operator's command acts as the quality team (docs/architecture.md, "The
        # supplier conversation"), as `case advance` does.
        writer = Principal(name=env.actor, role="quality_lead")
        with env.transaction() as session:
            posted = post_comment(session, principal=writer, case_id=case_id,
                                  body=body_text, internal=internal, now=env.now,
                                  policy=env.deadline_policy)
            document = comment_document(posted.comment)
        if env.as_json:
            print_json(document.as_json())
            return
        kind = "internal note" if document.internal else "comment shared with the supplier"
        stdout.print(f"Case #{case_id}: {kind} #{document.id} by {document.author} "
                     f"(event {posted.event.seq})", highlight=False, markup=False)

    run(env, body)


@app.command("list")
def list_command(
    state: Annotated[str | None, typer.Option("--state", help="A state, by name or in words.")
                     ] = None,
    supplier: Annotated[str | None, typer.Option("--supplier", help="Supplier code.")] = None,
    lifecycle: Annotated[str | None, typer.Option("--lifecycle")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only cases with a deadline past due.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000,
                                       help="Cases a page.")] = 500,
    search: Annotated[str | None, typer.Option(
        "--search", help="Words in the title, problem, part, defect code, or a case number.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    severity: Annotated[str | None, typer.Option("--severity")] = None,
    part: Annotated[str | None, typer.Option("--part")] = None,
    defect: Annotated[str | None, typer.Option("--defect", help="Defect code.")] = None,
    opened_from: Annotated[str | None, typer.Option("--opened-from", help="YYYY-MM-DD")
                           ] = None,
    opened_to: Annotated[str | None, typer.Option("--opened-to", help="YYYY-MM-DD")] = None,
    due_days: Annotated[str | None, typer.Option(
        "--due-days", help="Next owed falls due within N days (nothing late).")] = None,
    reopened: Annotated[bool, typer.Option("--reopened")] = False,
    status: Annotated[str, typer.Option("--status", help="open, closed or all.")] = "all",
    sort: Annotated[str, typer.Option(
        "--sort", help="number, opened, due, state, supplier, severity; -KEY descends.")
    ] = "number",
    page: Annotated[str, typer.Option("--page")] = "1",
    output: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Cases, filtered, searched and sorted as on the case list page (caselists)."""
    env = Env(as_json or output.strip().lower() == "json", db, now)

    def body() -> None:
        if output.strip().lower() not in ("table", "json", "csv"):
            raise BadInput(f"format: '{output}' is not one of table, json, csv", field="format")
        given = {
            "state": state, "supplier": supplier, "lifecycle": lifecycle, "q": search,
            "owner": owner, "severity": severity, "part": part, "defect": defect,
            "opened_from": opened_from, "opened_to": opened_to, "due_days": due_days,
            "status": status, "sort": sort, "page": page,
            "overdue": "1" if overdue else None, "reopened": "1" if reopened else None,
        }
        found = parse_filter({k: v for k, v in given.items() if v is not None},
                             base=CONTRACT_LIST)
        with env.transaction() as session:
            listed = find_cases(session, filter=found, now=env.now, page_size=limit)
            cases = [row.case for row in listed.rows]
            ids = [c.id for c in cases if c.id is not None]
            due = next_due(session, ids)
            suppliers = suppliers_by_id(
                session, {c.supplier_id for c in cases if c.supplier_id is not None}
            )
        if output.strip().lower() == "csv" and not env.as_json:
            sys.stdout.write(cases_csv(listed.rows))
            return
        rows = case_list(cases, suppliers, due, env.now)
        if env.as_json:
            print_json([row.as_json() for row in rows])
            return
        title = f"{len(rows)} case(s)"
        if listed.total > len(rows):
            title = f"cases {listed.first}-{listed.last} of {listed.total}"
        table = Table(title=title, title_justify="left")
        for column in ("#", "type", "state", "title", "supplier", "part", "next due", ""):
            table.add_column(column)
        for row, case in zip(rows, cases, strict=True):
            nxt = due.get(case.id or 0)
            late = deadline_status(nxt, env.now) if nxt else ""
            table.add_row(
                str(row.id), row.lifecycle, row.state, row.title,
                row.supplier or "", row.part or "",
                f"{nxt.title}: {readable(nxt.due_at)}" if nxt else "",
                late, style="red" if late == "overdue" else None,
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
            stdout.print(events_table(events, hashes=True,
                                      zone=env.deadline_policy.calendar.zone))

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


# -- evidence files (docs/architecture.md, "Attachments") ----------------------------------

def _operator(env: Env) -> Principal:
    # The command line is the quality team's own way in (whoever can reach the database may
    # already write every row), so its operator attaches as a quality lead, named by --by.
    return Principal(name=env.actor, role="quality_lead")


def _read_upload(path: Path, limit: int) -> Upload:
    """At most limit + 1 bytes of the file: one byte over is enough to refuse it."""
    try:
        with path.open("rb") as handle:
            content = handle.read(limit + 1)
    except FileNotFoundError:
        raise BadInput(f"file: {path} does not exist", field="file") from None
    except IsADirectoryError:
        raise BadInput(f"file: {path} is a folder, not a file", field="file") from None
    except OSError as exc:
        raise BadInput(f"file: {path} cannot be read ({exc.strerror})", field="file") from None
    return Upload(file_name=path.name, content=content)


@app.command("attach")
def attach_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    file: Annotated[Path, typer.Argument(help="The file: photo, PDF, office document, text.",
                                         dir_okay=True, exists=False)],
    internal: Annotated[bool, typer.Option(
        "--internal", help="Only the quality team sees it (default: the supplier too).")] = False,
    submission: Annotated[int | None, typer.Option(
        "--submission", help="The supplier submission it goes with.", min=1, max=MAX_ID)] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Attach an evidence file to a case (recorded in its audit trail)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        limits = env.runtime.policies.attachments
        upload = _read_upload(file, limits.max_bytes)
        with env.transaction() as session:
            row = attach(session, principal=_operator(env), case_id=case_id, upload=upload,
                         shared=not internal, now=env.now, limits=limits,
                         policy=env.deadline_policy, submission_id=submission)
            document = attachment_document(row)
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(f"File {document.id} attached to case #{case_id}: {document.file_name} "
                     f"({document.media_type}, {size_text(document.size)}, {document.visibility}; "
                     f"sha256 {document.sha256[:12]}…)", highlight=False, markup=False)

    run(env, body)


@app.command("files")
def files_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """The evidence files of a case, oldest first."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            get_case(session, case_id)
            rows = case_files(session, principal=_operator(env), case_id=case_id)
            document = attachment_list_document(case_id, rows)
        if env.as_json:
            print_json(document.as_json())
            return
        if not document.attachments:
            stdout.print(f"Case #{case_id} has no files.", highlight=False)
            return
        table = Table("File", "Name", "Kind", "Size", "Who", "When", "Seen by")
        for a in document.attachments:
            table.add_row(str(a.id), a.file_name, a.media_type, size_text(a.size), a.uploaded_by,
                          readable(a.uploaded_at),
                          "supplier too" if a.visibility == SHARED else "quality team")
        stdout.print(table)

    run(env, body)


@app.command("file-get")
def file_get_command(
    case_id: Annotated[int, typer.Argument(help="Case number.", min=1, max=MAX_ID)],
    file_id: Annotated[int, typer.Argument(help="File number (capa case files).",
                                           min=1, max=MAX_ID)],
    out: Annotated[Path, typer.Option("--out", help="Where to write it (a new file).")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Write one evidence file of a case to a new file, checked against its sha256."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            row = read_file(session, principal=_operator(env), attachment_id=file_id)
            if row.case_id != case_id:
                raise attachment_not_found(file_id)
            document = attachment_document(row)
            content = row.content
        if hashlib.sha256(content).hexdigest() != row.sha256:
            raise Conflict(f"file {file_id}: its bytes no longer match the sha256 recorded "
                           "when it was attached", field="attachment")
        try:
            with out.open("xb") as handle:
                handle.write(content)
        except FileExistsError:
            raise BadInput(f"out: {out} exists already; name a new file",
                           field="out") from None
        except OSError as exc:
            raise BadInput(f"out: {out} cannot be written ({exc.strerror})",
                           field="out") from None
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(f"Wrote {document.file_name} ({size_text(document.size)}) to {out}",
                     highlight=False, markup=False)

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
