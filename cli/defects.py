"""`capa defect ...`: record a defect, or import many from CSV, and see what the intake did."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from sqlalchemy import func
from sqlmodel import select

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
    stderr,
    stdout,
)
from capaflow.documents.defects import (
    classify_document,
    defect_document,
    defect_record_document,
    hold_placed_document,
    parts_received_document,
)
from capaflow.errors import MAX_ID, BadInput
from capaflow.intake import (
    COLUMNS,
    SOURCES,
    ImportReport,
    IntakeResult,
    import_defects,
    load_intake_policy,
    record_defect,
)
from capaflow.intake.classification import (
    CLASSES,
    override_classification,
    parse_lot_size,
    record_parts_received,
)
from capaflow.intake.csvimport import ImportSummary, summarize
from capaflow.intake.recurrence import parse_occurred_at, parse_quantity
from capaflow.models import Notification, Supplier

app = typer.Typer(
    help="Record defects: each is counted on its open case, reopens a case whose "
    "countermeasure it proves ineffective, or opens a new case.",
    no_args_is_help=True,
)


def _what_happened(result: IntakeResult) -> str:
    """The outcome in a quality lead's words, for the human output."""
    case = result.case
    started = result.step.deadlines.started if result.step else []
    containment = next((d for d in started if d.key == "containment"), None)
    due = f", containment due {readable(containment.due_at)}" if containment else ""
    if result.outcome == "occurrence" and case is not None:
        return (
            f"counted on case #{case.id} ({case.state}; {case.occurrences} occurrences so far)"
        )
    if result.outcome == "reopened" and case is not None and result.late_report:
        return (
            f"countermeasure ineffective: case #{case.id} reopened to containment from closed "
            "(the defect occurred inside its effectiveness window: the closure as effective "
            f"was wrong; reopened {case.reopen_count}×{due})"
        )
    if result.outcome == "reopened" and case is not None:
        return (
            f"countermeasure ineffective: case #{case.id} reopened to containment "
            f"(reopened {case.reopen_count}×{due})"
        )
    if result.outcome == "new_case" and case is not None:
        follows = f", follows case #{result.linked_case_id}" if result.linked_case_id else ""
        return f"new case #{case.id} opened{follows}{due}"
    return "recorded; no case opened (intake.open_new_case is off)"


def _hold_line(result: IntakeResult) -> str:
    hold = result.hold.hold
    how = "renewed" if result.hold.reset else "placed"
    return (
        f"100 % inspection: next {hold.lots_remaining} lots of {result.supplier.code} "
        f"{hold.part} (hold #{hold.id} {how})"
    )


# Help texts as one line per paragraph: Typer keeps a docstring's line breaks, which would
# wrap every paragraph twice in a narrow terminal.
_RECORD_HELP = (
    "Record a defect of a supplier's part and act on its 8D case.\n\n"
    "The open case of the same supplier, part and defect code counts one more occurrence; "
    "a case in effectiveness tracking is reopened (the countermeasure was ineffective); a "
    "case closed as effective, or none, gets a new case linked to the earlier one, unless "
    "the defect occurred (--at) inside that case's effectiveness window: then the closure "
    "was wrong and the case is reopened (late_report). The next "
    "lots of the part go on 100 % inspection ([intake] inspection_lots)."
)
_IMPORT_HELP = (
    "Record every defect of a CSV file, as `defect record` does for one.\n\n"
    f"Header: {','.join(COLUMNS)} (quantity, source, note and lot_size optional; occurred_at "
    "ISO-8601 with offset). Rows are recorded in file order, each in its own transaction.\n\n"
    "On a terminal a progress bar runs while it imports; it ends with a short summary "
    "(rows read, defects recorded, cases opened, batch and sporadic, notices queued, the "
    "refused rows' lines). --json adds that summary as \"summary\".\n\n"
    "Exit 0 when every row was imported. When some rows are rejected the exit code is 2, "
    "BUT THE GOOD ROWS STAY IMPORTED: \"imported\" lists them; \"rejected\" lists each bad "
    "row's line (the header is line 1), field and message, and nothing of a bad row is "
    "written. Fix the rejected rows and import the file again: rows an earlier import "
    "recorded are skipped (\"skipped\" lists their lines), so nothing is counted twice.\n\n"
    "A file that is missing or empty, or whose header lacks a required column, is refused "
    "whole (exit 2, nothing written)."
)


@app.command("record", help=_RECORD_HELP)
def record_command(
    supplier: Annotated[str, typer.Option("--supplier", help="Supplier code.")],
    part: Annotated[str, typer.Option("--part", help="Part number.")],
    defect_code: Annotated[str, typer.Option("--defect-code", help="Defect code, e.g. CRACK.")],
    qty: Annotated[
        str | None,
        typer.Option("--qty", metavar="N", help="Defective parts (default 1).", show_default=False),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="TIME",
            help="When the defect occurred, ISO-8601 with offset (default: now).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str, typer.Option("--source", help=f"Where it was found: {', '.join(SOURCES)}.")
    ] = "line",
    note: Annotated[str | None, typer.Option("--note", help="A free note.")] = None,
    severity: Annotated[
        str, typer.Option("--severity", help="Severity if a new case is opened.")
    ] = "major",
    lot_size: Annotated[
        str | None,
        typer.Option("--lot-size", metavar="N", show_default=False,
                     help="Size of the lot the pieces came from, if known: a batch defect "
                     "when the defective share reaches [intake.classification] "
                     "batch_min_rate."),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Record a defect of a supplier's part and act on its 8D case."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        # Quantity and time are read here rather than by Typer so that a typo is refused
        # like every other bad input: exit 2, the field named, an error document with --json.
        if qty is not None and not qty.strip():
            # Blank means "one part" in a CSV cell, but typed as an option it is a slip.
            raise BadInput("quantity: --qty must not be empty", field="quantity")
        quantity = parse_quantity(qty)
        if lot_size is not None and not lot_size.strip():
            raise BadInput("lot_size: --lot-size must not be empty", field="lot_size")
        lot = parse_lot_size(lot_size)
        occurred_at = parse_occurred_at(at, env.now) if at is not None else env.now
        intake_policy = load_intake_policy(env.policies.get("intake"))
        with env.transaction() as session:
            result = record_defect(
                session,
                lot_size=lot,
                supplier_code=supplier,
                part=part,
                defect_code=defect_code,
                quantity=quantity,
                occurred_at=occurred_at,
                source=source,
                note=note,
                actor=env.actor,
                now=env.now,
                policy=env.deadline_policy,
                intake_policy=intake_policy,
                severity=severity.strip().lower(),
            )
        if env.as_json:
            print_json(defect_record_document(result, env.now).as_json())
            return
        defect = result.defect
        stdout.print(
            f"Defect #{defect.id} ({defect.quantity} × {defect.defect_code} on {defect.part} "
            f"from {result.supplier.code}): {_what_happened(result)}.",
            highlight=False, markup=False,
        )
        stdout.print(_hold_line(result), highlight=False, markup=False)
        # The human output keeps its two lines (scripts read them); the classification, its
        # basis and the parts owed are in --json (classification, parts_owed) and case show.

    run(env, body)



def _row_json(line: int, result: IntakeResult) -> dict[str, Any]:
    return {
        "line": line,
        "outcome": result.outcome,
        "case_id": result.case_id,
        "linked_case_id": result.linked_case_id,
        "late_report": result.late_report,
        "defect": defect_document(result).as_json(),
        "inspection_hold": hold_placed_document(result.hold).as_json(),
    }


def _summary(report: ImportReport) -> str:
    lines = report.rejected_lines
    shown = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
    return (
        f"{len(lines)} of {report.rows} rows of {report.file} rejected (line {shown}); "
        f"the other {len(report.imported)} rows were imported"
    )


def _report_json(report: ImportReport) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file": report.file,
        "rows": report.rows,
        # false: some rows were rejected and the command exits 2, but the rows listed under
        # "imported" were recorded (each row is its own transaction) and stay recorded.
        "complete": report.complete,
        "imported": [_row_json(row.line, row.result) for row in report.imported],
        "rejected": [
            {"line": r.line, "field": r.field, "message": r.message} for r in report.rejected
        ],
        "skipped": [{"line": line} for line in report.skipped],
    }
    if not report.complete:
        # The contract's error object too, so a script that reads "error" on a non-zero exit
        # finds it; here it sits beside the report instead of replacing it.
        document["error"] = {"code": "bad_input", "message": _summary(report), "field": None}
    return document


def _notices(env: Env) -> int:
    with env.transaction() as session:
        return int(session.exec(select(func.count()).select_from(Notification)).one())


@contextmanager
def _progress(*, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (stderr); nothing in a pipe or with --json."""
    if not show:
        yield None
        return
    with Progress(TextColumn("Importing"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=stderr, transient=True) as bar:
        task = bar.add_task("rows", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


@app.command("import", help=_IMPORT_HELP)
def import_command(
    file: Annotated[
        str,
        typer.Argument(metavar="FILE.csv", help=f"CSV with the header {','.join(COLUMNS)}."),
    ],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Record every defect of a CSV file; good rows land even when others are rejected."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        intake_policy = load_intake_policy(env.policies.get("intake"))
        policy = env.deadline_policy
        # The database is checked before the first row, so a wrong --db is refused whole
        # rather than as every row failing.
        env.engine()
        queued_before = _notices(env)
        with _progress(show=not env.as_json and stderr.is_terminal) as progress:
            report = import_defects(
                file,
                transaction=env.transaction,
                actor=env.actor,
                now=env.now,
                policy=policy,
                intake_policy=intake_policy,
                progress=progress,
            )
        summary = summarize(report, notices=_notices(env) - queued_before)
        if env.as_json:
            document = _report_json(report)
            document["summary"] = summary.as_json()
            print_json(document)
        else:
            _print_summary(summary, report.file)
            _print_rejections(report)
        if not report.complete:
            stderr.print(f"error: {_summary(report)}", markup=False, highlight=False)
            raise typer.Exit(BadInput.exit_code)

    run(env, body)


def _print_summary(summary: ImportSummary, file: str) -> None:
    """A few lines, not a line per row: what the import did, and where to look next."""
    lines = summary.rejected_lines
    shown = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
    said = [
        f"Imported {file}: {summary.rows} rows read, {summary.recorded} defects recorded"
        + (f", {summary.skipped} already imported (skipped)" if summary.skipped else "") + ".",
        f"Cases: {summary.cases_opened} opened, {summary.reopened} reopened, "
        f"{summary.counted} defects counted on open cases.",
        f"Classified: {summary.batch} batch, {summary.sporadic} sporadic.",
        f"Notices queued: {summary.notices}.",
    ]
    if lines:
        said.append(f"Refused: {len(lines)} row(s) (line {shown}); see the messages below.")
    said.append("Each defect, its class and why: capa defect list (or Nonconformances on the "
                "site).")
    for line in said:
        stdout.print(line, highlight=False, markup=False)


def _print_rejections(report: ImportReport) -> None:
    for rejection in report.rejected[:10]:
        stdout.print(
            f"line {rejection.line}: {rejection.message}", highlight=False, markup=False
        )
    if len(report.rejected) > 10:
        stdout.print(f"... and {len(report.rejected) - 10} more (--json lists them all)",
                     highlight=False, markup=False)


_CLASSIFY_HELP = (
    "The quality lead's classification of an 8D case: batch, sporadic, one_off or "
    "unavoidable (README, \"Batch versus sporadic\").\n\n"
    "batch: parts confirmed good are owed at once ([intake.good_parts]); sporadic: a written "
    "notice and the defective pieces replaced ([intake.replacement]). one_off and unavoidable "
    "are exempt from the 24 h containment and the 100 % inspection of the next lots: a "
    "containment still owed is cancelled (the case moves on to D4) and the case's hold is "
    "released. Recorded in the audit trail with --by and --reason.\n\n"
    "Exit 2: a bad --as or an empty --reason; 3: no such case; 4: not an open supplier 8D "
    "case, or already of that class. A refusal writes nothing."
)


@app.command("classify", help=_CLASSIFY_HELP)
def classify_command(
    case_id: Annotated[
        int, typer.Argument(metavar="CASE_ID", help="The 8D case.", min=1, max=MAX_ID)
    ],
    as_: Annotated[str, typer.Option("--as", help=f"One of {', '.join(CLASSES)}.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        intake_policy = load_intake_policy(env.policies.get("intake"))
        with env.transaction() as session:
            result = override_classification(
                session, case_id=case_id, kind=as_, reason=reason, actor=env.actor,
                now=env.now, policy=env.deadline_policy, intake_policy=intake_policy,
            )
            supplier = (session.get(Supplier, result.case.supplier_id)
                        if result.case.supplier_id is not None else None)
            document = classify_document(result, supplier, reason.strip(), env.now)
        if env.as_json:
            print_json(document.as_json())
            return
        previous = f" (was {result.previous})" if result.previous else ""
        stdout.print(f"Case #{case_id} classified {result.classification}{previous}.",
                     highlight=False, markup=False)
        for d in document.cancelled:
            stdout.print(f"cancelled: {d.title}", highlight=False, markup=False)
        for d in document.started:
            stdout.print(f"owed: {d.title}, due {d.due_at}", highlight=False, markup=False)
        if document.released_hold_id is not None:
            stdout.print(f"100 % inspection hold #{document.released_hold_id} released",
                         highlight=False, markup=False)
        if document.placed_hold_id is not None:
            stdout.print(f"100 % inspection hold #{document.placed_hold_id} placed",
                         highlight=False, markup=False)

    run(env, body)


@app.command("parts-received", help=(
    "The parts the supplier owed for a case arrived (confirmed good for a batch defect, the "
    "replacement pieces otherwise): its good_parts / replacement deadline is met. Exit 4 when "
    "none is owed."
))
def parts_received_command(
    case_id: Annotated[
        int, typer.Argument(metavar="CASE_ID", help="The 8D case.", min=1, max=MAX_ID)
    ],
    note: Annotated[str | None, typer.Option("--note", help="A free note.")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            result = record_parts_received(session, case_id=case_id, note=note,
                                           actor=env.actor, now=env.now,
                                           policy=env.deadline_policy)
            document = parts_received_document(result, env.now)
        if env.as_json:
            print_json(document.as_json())
            return
        for d in document.met:
            stdout.print(f"Case #{case_id}: met {d.title}", highlight=False, markup=False)

    run(env, body)
