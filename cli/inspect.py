"""`capa inspect ...`: the plan for an incoming lot, recording its result, importing many."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

import typer
from rich.table import Table

from capaflow.calendars import isoformat
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
from capaflow.documents.inspections import (
    lot_record_document,
    plan_document,
    resumed_document,
)
from capaflow.errors import BadInput
from capaflow.inspection import (
    COLUMNS,
    InspectionPlan,
    InspectionPolicy,
    LotImportReport,
    LotResult,
    import_lots,
    load_inspection_policy,
    plan_for,
    record_lot,
    resume_inspection,
)
from capaflow.inspection.values import parse_count, parse_inspected_at, parse_yes_no
from capaflow.intake import load_intake_policy

app = typer.Typer(
    help="Incoming inspection by ISO 2859-1: the plan for a lot, its result, switching between "
    "normal, tightened and reduced inspection, and 100 % inspection after a supplier defect.",
    no_args_is_help=True,
)

SupplierOpt = Annotated[str, typer.Option("--supplier", help="Supplier code.")]
PartOpt = Annotated[str, typer.Option("--part", help="Part number.")]
LotSizeOpt = Annotated[str, typer.Option("--lot-size", metavar="N", help="Items in the lot.")]
AqlOpt = Annotated[
    str | None,
    typer.Option("--aql", metavar="AQL",
                 help="AQL of the standard's series (default: [inspection] default_aql).",
                 show_default=False),
]
LevelOpt = Annotated[
    str | None,
    typer.Option("--level", metavar="LEVEL",
                 help="Inspection level I, II, III, S-1 … S-4 (default: [inspection] "
                 "default_level).", show_default=False),
]


def _policy(env: Env) -> InspectionPolicy:
    return load_inspection_policy(
        env.policies.get("inspection"), timezone=env.deadline_policy.calendar.timezone
    )


def _plan_lines(plan: InspectionPlan) -> list[str]:
    return [
        f"{plan.supplier} {plan.part}, lot of {plan.lot_size}: {plan.severity} inspection, "
        f"code letter {plan.code_letter}, inspect {plan.sample_size}, accept with at most "
        f"{plan.acceptance_number}, reject with {plan.rejection_number} or more.",
        plan.why,
    ]


@app.command("plan")
def plan_command(
    supplier: SupplierOpt,
    part: PartOpt,
    lot_size: LotSizeOpt,
    aql: AqlOpt = None,
    level: LevelOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """How to inspect the supplier's next lot of the part: sample size, Ac, Re, severity, why."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        # Counts are read here rather than by Typer so that a typo is refused like every other
        # bad input: exit 2, the field named, an error document with --json.
        size = parse_count("lot_size", lot_size, minimum=2)
        policy = _policy(env)
        with env.transaction() as session:
            plan = plan_for(
                session, supplier_code=supplier, part=part, lot_size=size, aql=aql,
                level=level, now=env.now, policy=policy,
            )
        if env.as_json:
            print_json(plan_document(plan).as_json())
            return
        for line in _plan_lines(plan):
            stdout.print(line, highlight=False, markup=False)

    run(env, body)


_RECORD_HELP = (
    "Record an inspected lot: accepted or rejected by the plan in force, the switching state "
    "after it, and for a rejected lot the 8D case it opened or added to.\n\n"
    "A rejected lot needs --defect-code; it notifies the supplier's contact, goes to the "
    "recurrence intake (source incoming) and puts the next lots on 100 % inspection. A lot is "
    "recorded once (supplier, part and lot are unique).\n\n"
    "The delivery's documents are optional: --outgoing-report and --certificates yes|no, "
    "--production-lot as printed on the delivery. A lot without one, or out of production-lot "
    "order, is flagged and its supplier's contact told; the verdict is not changed. Left out, "
    "a document is not recorded and never counts against the supplier."
)


@app.command("record", help=_RECORD_HELP)
def record_command(
    supplier: SupplierOpt,
    part: PartOpt,
    lot: Annotated[str, typer.Option("--lot", help="The supplier's lot number.")],
    lot_size: LotSizeOpt,
    sampled: Annotated[str, typer.Option("--sampled", metavar="N", help="Items inspected.")],
    defects: Annotated[
        str, typer.Option("--defects", metavar="N", help="Nonconforming items found.")
    ],
    defect_code: Annotated[
        str | None,
        typer.Option("--defect-code", help="Defect code (required for a rejected lot).",
                     show_default=False),
    ] = None,
    aql: AqlOpt = None,
    level: LevelOpt = None,
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="TIME",
                     help="When the lot was inspected, ISO-8601 with offset (default: now).",
                     show_default=False),
    ] = None,
    irregular: Annotated[
        bool,
        typer.Option("--irregular-production",
                     help="Production of this lot was irregular or delayed (ISO 2859-1 9.3.4 b: "
                     "reduced goes back to normal; no switch to reduced)."),
    ] = False,
    outgoing_report: Annotated[
        str | None,
        typer.Option("--outgoing-report", metavar="yes|no", show_default=False,
                     help="The supplier's outgoing inspection report came with the lot."),
    ] = None,
    certificates: Annotated[
        str | None,
        typer.Option("--certificates", metavar="yes|no", show_default=False,
                     help="The material certificates came with the lot."),
    ] = None,
    production_lot: Annotated[
        str | None,
        typer.Option("--production-lot", metavar="TEXT", show_default=False,
                     help="The supplier's production lot, as printed on the delivery."),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        report_came = parse_yes_no("outgoing_report", outgoing_report)
        certificates_came = parse_yes_no("certificates", certificates)
        size = parse_count("lot_size", lot_size, minimum=2)
        inspected = parse_count("sampled", sampled, minimum=1)
        found = parse_count("defects", defects, minimum=0)
        inspected_at = parse_inspected_at(at, env.now) if at is not None else env.now
        policy = _policy(env)
        intake_policy = load_intake_policy(env.policies.get("intake"))
        with env.transaction() as session:
            result = record_lot(
                session, supplier_code=supplier, part=part, lot=lot, lot_size=size,
                sampled=inspected, defects=found, defect_code=defect_code, aql=aql,
                level=level, inspected_at=inspected_at, now=env.now, policy=policy,
                intake_policy=intake_policy, actor=env.actor,
                deadline_policy=env.deadline_policy, steady_production=not irregular,
                outgoing_report=report_came, certificates=certificates_came,
                production_lot=production_lot,
            )
        if env.as_json:
            print_json(lot_record_document(result).as_json())
            return
        _print_result(result)

    run(env, body)


def _print_result(result: LotResult) -> None:
    lot = result.lot
    verdict = "ACCEPTED" if result.accepted else "REJECTED"
    lines = [
        f"Lot {lot.lot} of {result.supplier.code} {lot.part}: {verdict} ({lot.defects} "
        f"nonconforming in {lot.sample_size}; {result.plan.severity}, Ac "
        f"{result.plan.acceptance_number}, Re {result.plan.rejection_number}).",
    ]
    lines.extend(
        f"Switched {s.from_severity} → {s.to_severity}: {s.reason}." for s in result.switches
    )
    lines.append(f"Switching state: {result.switching.severity}, score "
                 f"{result.switching.switching_score}.")
    if result.counted_hold is not None:
        left = result.counted_remaining
        lines.append(f"Containment hold #{result.counted_hold.id}: this lot counted, "
                     + (f"{left} lots to go." if left else "hold released."))
    if result.intake is not None:
        lines.append(f"Intake: {result.intake.outcome}, case #{result.case_id}; supplier notified.")
    if result.hold_after is not None:
        lines.append(f"Next {result.hold_after.lots_remaining} lots at 100 % "
                     f"(hold #{result.hold_after.id}).")
    lines.extend(_delivery_lines(result))
    for line in lines:
        stdout.print(line, highlight=False, markup=False)


_DOCUMENT_WORDS = {"outgoing_report": "outgoing inspection report",
                   "certificates": "material certificates"}


def _delivery_lines(result: LotResult) -> list[str]:
    """The delivery flag, said: what was missing, what it came out of order after."""
    problems = [f"delivered without its {_DOCUMENT_WORDS[name]}"
                for name in result.delivery.missing]
    if result.delivered_after is not None:
        problems.append(f"production lot {result.lot.production_lot} delivered after "
                        f"{result.delivered_after} (out of production-lot order)")
    if not problems:
        return []
    told = "; supplier notified" if result.delivery_notice is not None else ""
    return [f"FLAGGED: {'; '.join(problems)}{told}. The verdict stands."]


@app.command("resume")
def resume_command(
    supplier: SupplierOpt,
    part: PartOpt,
    reason: Annotated[str, typer.Option("--reason", help="What the supplier did.")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    """Resume a discontinued part at tightened inspection, after the supplier's action (9.4)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        with env.transaction() as session:
            resumed = resume_inspection(
                session, supplier_code=supplier, part=part, reason=reason, actor=env.actor,
                now=env.now,
            )
            document = resumed_document(resumed, actor=env.actor, now=env.now)
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(
            f"{document.supplier} {document.part}: inspection resumed at tightened.",
            highlight=False, markup=False,
        )

    run(env, body)


_IMPORT_HELP = (
    "Record every inspected lot of a CSV file, in file order, as `inspect record` does.\n\n"
    f"Header: {','.join(COLUMNS)} (defect_code, aql, level and the delivery's documents "
    "outgoing_report, certificates (yes|no) and production_lot optional). Each row is its own "
    "transaction. A lot already recorded is skipped, so importing the same file again adds "
    "nothing.\n\n"
    "Exit 0 when every row was imported or skipped. When some rows are rejected the exit code "
    "is 2, BUT THE GOOD ROWS STAY IMPORTED: \"rejected\" lists each bad row's line (the header "
    "is line 1), field and message. Fix them and import the file again: the rows already in "
    "are skipped."
)


def _summary(report: LotImportReport) -> str:
    lines = report.rejected_lines
    shown = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
    return (
        f"{len(lines)} of {report.rows} rows of {report.file} rejected (line {shown}); "
        f"{len(report.imported)} imported, {len(report.skipped)} already present"
    )


def _report_json(report: LotImportReport) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file": report.file,
        "rows": report.rows,
        "complete": report.complete,
        "imported": [
            {"line": row.line} | lot_record_document(row.result).as_json()
            for row in report.imported
        ],
        "skipped": [
            {"line": s.line, "supplier": s.supplier, "part": s.part, "lot": s.lot,
             "reason": "already recorded", "recorded_at": isoformat(s.recorded_at)}
            for s in report.skipped
        ],
        "rejected": [
            {"line": r.line, "field": r.field, "code": r.code, "message": r.message}
            for r in report.rejected
        ],
    }
    if not report.complete:
        document["error"] = {"code": "bad_input", "message": _summary(report), "field": None}
    return document


@app.command("import", help=_IMPORT_HELP)
def import_command(
    file: Annotated[
        str, typer.Argument(metavar="FILE.csv", help=f"CSV with the header {','.join(COLUMNS)}.")
    ],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        policy = _policy(env)
        intake_policy = load_intake_policy(env.policies.get("intake"))
        deadline_policy = env.deadline_policy
        # A wrong --db is refused whole rather than as every row failing.
        env.engine()
        report = import_lots(
            file, transaction=env.transaction, actor=env.actor, now=env.now, policy=policy,
            intake_policy=intake_policy, deadline_policy=deadline_policy,
        )
        if env.as_json:
            print_json(_report_json(report))
        else:
            _print_report(report)
        if not report.complete:
            stderr.print(f"error: {_summary(report)}", markup=False, highlight=False)
            raise typer.Exit(BadInput.exit_code)

    run(env, body)


def _print_report(report: LotImportReport) -> None:
    verdicts = Counter("accepted" if r.result.accepted else "rejected" for r in report.imported)
    counted = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    stdout.print(
        f"Imported {len(report.imported)} of {report.rows} rows from {report.file}"
        + (f" ({counted})" if counted else "")
        + f"; {len(report.skipped)} already present.",
        highlight=False, markup=False,
    )
    if report.imported:
        table = Table(title_justify="left")
        for column in ("line", "lot", "result", "severity", "switched to", "case"):
            table.add_column(column)
        for row in report.imported:
            result = row.result
            table.add_row(
                str(row.line),
                f"{result.supplier.code} {result.lot.part} {result.lot.lot}",
                "accepted" if result.accepted else "rejected",
                result.plan.severity,
                result.switches[-1].to_severity if result.switches else "",
                f"#{result.case_id}" if result.case_id else "",
            )
        stdout.print(table)
    flagged = [str(r.line) for r in report.imported if _delivery_lines(r.result)]
    if flagged:
        stdout.print(f"{len(flagged)} lots FLAGGED for their delivery documents or production-lot "
                     f"order (line {', '.join(flagged)}); their suppliers notified.",
                     highlight=False, markup=False)
    for rejection in report.rejected:
        stdout.print(f"line {rejection.line}: {rejection.message}", highlight=False, markup=False)
