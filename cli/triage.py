"""`capa defect list|reclassify|merge|close`: the nonconformance list and the quality lead's
triage of it (docs/architecture.md, "Defect triage"), as the site's Nonconformances page."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from capaflow.accounts.tokens import Principal, user_principal
from capaflow.accounts.users import find_user
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
from capaflow.cli.defects import app
from capaflow.cli.signing import read_password
from capaflow.documents.triage import (
    TriagePublic,
    nonconformance_page_document,
    triage_document,
)
from capaflow.errors import MAX_ID
from capaflow.intake import load_intake_policy
from capaflow.intake.classification import CLASSES
from capaflow.intake.nonconformances import (
    STATES,
    UNCLASSIFIED,
    check_filters,
    check_page,
    list_nonconformances,
)
from capaflow.intake.triage import close_defects, merge_defects, reclassify_defect

PasswordStdinOpt = Annotated[
    bool,
    typer.Option("--password-stdin",
                 help="Read the password of --by from stdin, to sign the cancel of a case "
                 "(a signed decision, as on the site)."),
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")]
DefectsArg = Annotated[
    list[int],
    typer.Argument(metavar="DEFECT_ID...", help="The defects (numbers from `defect list`).",
                   min=1, max=MAX_ID),
]


def _principal(session: Session, actor: str) -> Principal:
    """`--by` as the signer: the user of that name, if there is one. Without an account the
    action is still taken under the name, and only a signature (a case cancelled) fails."""
    user = find_user(session, actor)
    if user is None:
        return Principal(name=actor, role="")
    return user_principal(session, user)


def _password(password_stdin: bool) -> str | None:
    """The password only when one is given: a merge or close that cancels no case needs
    none, so it is never prompted for (cli.signing reads it)."""
    return read_password(True) if password_stdin else None


def _print_triage(document: TriagePublic) -> None:
    said = {"defect_reclassified": "reclassified", "defects_merged": "merged",
            "defects_handled": "marked handled"}[document.action]
    ids = ", ".join(f"#{i}" for i in document.defects)
    line = f"Defect(s) {ids} {said}"
    if document.case_id is not None and document.action != "defects_handled":
        line += f"; case #{document.case_id}" + (" opened" if document.case_opened else "")
    if document.cancelled_cases:
        line += "; cancelled case(s) " + ", ".join(f"#{c}" for c in document.cancelled_cases)
    stdout.print(line + ".", highlight=False, markup=False)


@app.command("list", help=(
    "The nonconformance list: the defects recorded, newest first, with how each was "
    "classified and why, and its case. Filters: --supplier, --part, --class "
    f"({', '.join(CLASSES)}, {UNCLASSIFIED}), --unlinked (no case), --state "
    f"({', '.join(STATES)}; default open: not marked handled). --page / --per-page."
))
def list_command(
    supplier: Annotated[str | None, typer.Option("--supplier", help="Supplier code.")] = None,
    part: Annotated[str | None, typer.Option("--part", help="Part number.")] = None,
    kind: Annotated[str | None, typer.Option("--class", help="Classification.")] = None,
    unlinked: Annotated[bool, typer.Option("--unlinked", help="Only defects without a case.")]
    = False,
    state: Annotated[str, typer.Option("--state", help=", ".join(STATES))] = "open",
    page: Annotated[int, typer.Option("--page", min=1, max=MAX_ID)] = 1,
    per_page: Annotated[int, typer.Option("--per-page", min=1, max=200)] = 50,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    env = Env(as_json, db, now, config, None)

    def body() -> None:
        filters = check_filters(supplier=supplier, part=part, classification=kind,
                                unlinked=unlinked, state=state)
        number, size = check_page(page, per_page)
        with env.transaction() as session:
            found = list_nonconformances(session, filters, page=number, per_page=size)
            document = nonconformance_page_document(found)
            lines = [(row.classified, row.why, row.case_words) for row in found.rows]
        if env.as_json:
            print_json(document.as_json())
            return
        table = Table(title=f"{document.total} defect(s), page {number}", title_justify="left")
        for column in ("#", "occurred", "defect", "classified", "why"):
            table.add_column(column)
        for d, (classified, why, case) in zip(document.defects, lines, strict=True):
            table.add_row(str(d.id), readable(d.occurred_at),
                          f"{d.supplier} {d.part} {d.defect_code} ×{d.quantity} ({d.source})",
                          f"{classified}\n{case}", why)
        stdout.print(table)

    run(env, body)


@app.command("reclassify", help=(
    "The quality lead's class for one defect (batch, sporadic, one_off, unavoidable), with a "
    "reason: kept on the defect and the supplier's decision trail; its open 8D case takes the "
    "class too (as `defect classify`). --open-case gives a defect without a case one of its "
    "own. Exit 2: bad --as, empty --reason, a case for a one-off; 3: no such defect; 4: "
    "handled, already of that class, or already on an open case. A refusal writes nothing."
))
def reclassify_command(
    defect_id: Annotated[int, typer.Argument(metavar="DEFECT_ID", min=1, max=MAX_ID)],
    as_: Annotated[str, typer.Option("--as", help=f"One of {', '.join(CLASSES)}.")],
    reason: ReasonOpt,
    open_case: Annotated[bool, typer.Option("--open-case", help="Open an 8D case for it.")]
    = False,
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
            result = reclassify_defect(
                session, defect_id=defect_id, kind=as_, reason=reason, open_new_case=open_case,
                actor=env.actor, now=env.now, policy=env.deadline_policy,
                intake_policy=intake_policy)
            document = triage_document(result)
        if env.as_json:
            print_json(document.as_json())
        else:
            _print_triage(document)

    run(env, body)


@app.command("merge", help=(
    "Link several defects of one supplier to one 8D case: --case N, or a case opened for "
    "them. An open case the merge leaves without any defect is cancelled: a signed decision "
    "(--by NAME --password-stdin). All or nothing. Exit 2: defects of two suppliers (field "
    "defects), empty --reason, a wrong password; 3: an unknown defect or case; 4: a handled "
    "defect, a case that is not an open 8D case of that supplier."
))
def merge_command(
    defects: DefectsArg,
    reason: ReasonOpt,
    case: Annotated[int | None, typer.Option("--case", min=1, max=MAX_ID,
                                             help="The open 8D case to merge into.")] = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        password = _password(password_stdin)
        with env.transaction() as session:
            result = merge_defects(
                session, defect_ids=defects, case_id=case, reason=reason,
                principal=_principal(session, env.actor), password=password, now=env.now,
                policy=env.deadline_policy)
            document = triage_document(result)
        if env.as_json:
            print_json(document.as_json())
        else:
            _print_triage(document)

    run(env, body)


@app.command("close", help=(
    "Mark several defects handled, with a reason. --cancel-cases also cancels each open 8D "
    "case whose defects are now all handled: a signed decision (--by NAME --password-stdin). "
    "All or nothing. Exit 2: empty --reason, a wrong password; 3: an unknown defect; 4: a "
    "defect already handled."
))
def close_command(
    defects: DefectsArg,
    reason: ReasonOpt,
    cancel_cases: Annotated[bool, typer.Option(
        "--cancel-cases", help="Cancel the cases left with only handled defects.")] = False,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
    by: ActorOpt = None,
) -> None:
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        password = _password(password_stdin)
        with env.transaction() as session:
            result = close_defects(
                session, defect_ids=defects, reason=reason, cancel_cases=cancel_cases,
                principal=_principal(session, env.actor), password=password, now=env.now,
                policy=env.deadline_policy)
            document = triage_document(result)
        if env.as_json:
            print_json(document.as_json())
        else:
            _print_triage(document)

    run(env, body)
