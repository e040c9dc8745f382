"""`capa standard ...`: the service standards per department and position, imported from a
TOML or CSV file (docs/architecture.md, "Service quality control")."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.calendars import parse_instant, readable
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
    FindingListPublic,
    FindingPublic,
    RoundPublic,
    RoundSummaryPublic,
    StandardImportPublic,
    StandardPublic,
    finding_documents,
    round_document,
    round_list_document,
    round_plan_document,
    standard_document,
    standard_list_document,
)
from capaflow.errors import MAX_ID, BadInput, check_text
from capaflow.standards.catalogue import (
    catalogue,
    check_department,
    check_position,
    current_standard,
    standard_version,
)
from capaflow.standards.findings import close_finding, list_findings
from capaflow.standards.importing import import_standard
from capaflow.standards.rounds import (
    Result,
    get_round,
    list_rounds,
    open_round,
    plan_month,
    record_round,
)

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


# --- quality inspection rounds and findings ----------------------------------------------------

round_app = typer.Typer(help="Quality inspections of the service standards.",
                        no_args_is_help=True)
finding_app = typer.Typer(help="Findings of quality inspections: failed items owed a fix.",
                          no_args_is_help=True)

RoundId = Annotated[int, typer.Argument(help="Round number.", min=1, max=MAX_ID)]
FindingId = Annotated[int, typer.Argument(help="Finding number.", min=1, max=MAX_ID)]


def _print_round_line(r: RoundSummaryPublic) -> str:
    score = "-" if r.score is None else f"{r.score:g}"
    return (f"#{r.id} {r.department}/{r.position} {r.state}"
            + (" OVERDUE" if r.overdue else "") + f", inspector {r.inspector}, due "
            f"{readable(r.due_at)}, score {score}")


def _print_findings(findings: list[FindingPublic]) -> None:
    table = Table("#", "round", "state", "department", "item", "factor", "owner", "due", "pdca")
    for f in findings:
        table.add_row(str(f.id), f"#{f.round}", f.state + (" LATE" if f.late else ""),
                      f.department, f.item_code + (" (critical)" if f.critical else ""),
                      f.factor, f.owner, readable(f.due_at) if f.due_at else "-",
                      f"#{f.pdca}" if f.pdca else "")
    stdout.print(table if findings else "no findings")


def _print_round(document: RoundPublic) -> None:
    stdout.print(_print_round_line(document), highlight=False)
    table = Table("code", "item", "weight", "factor", "critical", "result", "note")
    for i in document.items:
        result = "-" if i.passed is None else "pass" if i.passed else "FAIL"
        table.add_row(i.code, i.text, f"{i.weight:g}", i.factor, "yes" if i.critical else "",
                      result, i.note or "")
    stdout.print(table)
    if document.findings:
        _print_findings(document.findings)


def parse_results(pairs: list[str] | None) -> dict[str, Result]:
    """`CODE=pass`, `CODE=fail` or `CODE=fail:note`, each code once."""
    results: dict[str, Result] = {}
    for pair in pairs or []:
        code, sep, rest = pair.partition("=")
        code = code.strip()
        verdict, _, note = rest.partition(":")
        verdict = verdict.strip().lower()
        if not sep or not code or verdict not in ("pass", "fail"):
            raise BadInput(f"result: '{pair}' is not CODE=pass or CODE=fail[:note]",
                           field="result")
        if code in results:
            raise BadInput(f"result: item {code} is given twice", field="result")
        results[code] = Result(passed=verdict == "pass", note=note.strip() or None)
    return results


def parse_owners(pairs: list[str] | None) -> dict[str, str]:
    owners: dict[str, str] = {}
    for pair in pairs or []:
        code, sep, name = pair.partition("=")
        if not sep or not code.strip() or not name.strip():
            raise BadInput(f"owner: '{pair}' is not CODE=NAME", field="owner")
        if code.strip() in owners:
            raise BadInput(f"owner: item {code.strip()} is given twice", field="owner")
        owners[code.strip()] = name.strip()
    return owners


@round_app.command("plan")
def round_plan(
    month: Annotated[str, typer.Option("--month", help="The month to plan, YYYY-MM.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Open the month's planned rounds from [standards.rounds] (again: opens nothing new)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            plan = plan_month(session, policies=env.runtime.policies, policy=env.deadline_policy,
                              month=month, actor=env.actor, now=env.now)
            document = round_plan_document(session, plan, env.now)
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(f"{document.month}: {len(document.opened)} rounds opened, "
                     f"{len(document.existing)} already planned.", highlight=False)
        for r in document.opened:
            stdout.print("  " + _print_round_line(r), highlight=False)

    run(env, body)


@round_app.command("open")
def round_open(
    department: Annotated[str, typer.Option("--department", help="Department code.")],
    position: Annotated[str, typer.Option("--position", help="Position code.")],
    inspector: Annotated[str, typer.Option("--inspector", help="Who inspects (a name).")],
    due: Annotated[str | None, typer.Option(
        "--due", help="When it is due, ISO-8601 (default: [standards] round_due from now).",
        show_default=False)] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Open an ad hoc round owed by its inspector."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        try:
            due_at = parse_instant(due, field="due") if due is not None else None
        except ValueError as exc:
            raise BadInput(str(exc), field="due") from None
        with env.transaction() as session:
            case, row = open_round(session, policies=env.runtime.policies,
                                   policy=env.deadline_policy, department=department,
                                   position=position, inspector=inspector, due_at=due_at,
                                   actor=env.actor, now=env.now)
            document = round_document(session, case, row, env.now)
        if env.as_json:
            print_json(document.as_json())
        else:
            stdout.print("Opened " + _print_round_line(document), highlight=False)

    run(env, body)


@round_app.command("record")
def round_record(
    round_id: RoundId,
    result: Annotated[list[str] | None, typer.Option(
        "--result", help="CODE=pass or CODE=fail[:note], one per item of the standard.",
        show_default=False)] = None,
    owner: Annotated[list[str] | None, typer.Option(
        "--owner", help="CODE=NAME: who owns the finding of a failed item.",
        show_default=False)] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Record a round against its standard: the score, and a finding per failed item."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        results = parse_results(result)
        owners = parse_owners(owner)
        with env.transaction() as session:
            recorded = record_round(session, policies=env.runtime.policies,
                                    policy=env.deadline_policy, round_id=round_id,
                                    results=results, owners=owners, actor=env.actor,
                                    now=env.now)
            document = round_document(session, recorded.case, recorded.round, env.now)
        if env.as_json:
            print_json(document.as_json())
        else:
            _print_round(document)

    run(env, body)


@round_app.command("show")
def round_show(
    round_id: RoundId,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Show a round: its items with their results, the score and its findings."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        with env.transaction() as session:
            case, row = get_round(session, round_id)
            document = round_document(session, case, row, env.now)
        if env.as_json:
            print_json(document.as_json())
        else:
            _print_round(document)

    run(env, body)


@round_app.command("list")
def round_list(
    department: Annotated[str | None, typer.Option("--department", help="Only this one.",
                                                   show_default=False)] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The rounds, newest due first."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        if department is not None:
            check_department(env.runtime.policies, department)
        with env.transaction() as session:
            document = round_list_document(
                session, list_rounds(session, department=department), env.now)
        if env.as_json:
            print_json(document.as_json())
            return
        for r in document.rounds:
            stdout.print(_print_round_line(r), highlight=False)
        if not document.rounds:
            stdout.print("no rounds")

    run(env, body)


@finding_app.command("list")
def finding_list(
    department: Annotated[str | None, typer.Option("--department", help="Only this one.",
                                                   show_default=False)] = None,
    only_open: Annotated[bool, typer.Option("--open", help="Only open findings.")] = False,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The findings of quality inspections, newest first."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        if department is not None:
            check_department(env.runtime.policies, department)
        with env.transaction() as session:
            rows = list_findings(session, department=department, only_open=only_open)
            document = FindingListPublic(findings=finding_documents(session, rows, env.now))
        if env.as_json:
            print_json(document.as_json())
        else:
            _print_findings(document.findings)

    run(env, body)


@finding_app.command("close")
def finding_close(
    finding_id: FindingId,
    action: Annotated[str, typer.Option("--action", help="What was done to fix it.")],
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Close a finding with what was done; the round closes with its last finding."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            rows = [close_finding(session, policy=env.deadline_policy, finding_id=finding_id,
                                  action=action, actor=env.actor, now=env.now)]
            document = finding_documents(session, rows, env.now)[0]
        if env.as_json:
            print_json(document.as_json())
        else:
            stdout.print(f"Finding #{document.id} ({document.item_code}) closed.",
                         highlight=False)

    run(env, body)
