"""`capa notify ...`: list the outbox, dispatch what is due, retry a failed notice."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.accounts.customer_links import site_survey_link_maker
from capaflow.accounts.links import site_link_maker
from capaflow.calendars import readable
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from capaflow.documents.notifications import notice_documents
from capaflow.errors import MAX_ID
from capaflow.notifications.dispatch import dispatch, dispatch_policy
from capaflow.notifications.notices import (
    cases_and_suppliers,
    check_status,
    customers_of,
    list_notices,
    retry_notice,
)
from capaflow.notifications.notifier import AppriseNotifier
from capaflow.notifications.routing import Routes, load_routes

app = typer.Typer(help="Notifications: the outbox and its delivery.", no_args_is_help=True)

RoutesOpt = Annotated[
    str | None,
    typer.Option(
        "--routes", envvar="CAPA_ROUTES",
        help="TOML file of internal routes ([roles], [people]); default config/routes.toml.",
        show_default=False,
    ),
]


def _routes(env: Env, path: str | None) -> Routes:
    # A file the user named must exist; the default location may be absent (load_routes).
    if path:
        return load_routes(path, required=True)
    return load_routes(env.settings.routes)


@app.command("list")
def list_command(
    status: Annotated[
        str | None, typer.Option("--status", help="pending, sending, sent or failed.")
    ] = None,
    case: Annotated[
        int | None, typer.Option("--case", help="Only this case's notices.", min=1, max=MAX_ID)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 100,
    routes: RoutesOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """The outbox, newest first: each notice with its recipients (masked) and status."""
    env = Env(as_json, db, now)

    def body() -> None:
        wanted = status.strip().lower() if status is not None else None
        check_status(wanted)
        route_table = _routes(env, routes)
        with env.transaction() as session:
            notices = list_notices(session, status=wanted, case_id=case, limit=limit)
            cases, suppliers = cases_and_suppliers(session, notices)
            customers = customers_of(session, notices)
        documents = notice_documents(notices, cases, suppliers, route_table, customers)
        if env.as_json:
            print_json([d.as_json() for d in documents])
            return
        table = Table(title=f"{len(documents)} notice(s)", title_justify="left")
        for column in ("id", "case", "kind", "level", "status", "tries", "recipients", "when",
                       "last error"):
            table.add_column(column)
        for d, n in zip(documents, notices, strict=True):
            when = readable(n.sent_at if n.status == "sent" else n.next_attempt_at)
            table.add_row(
                str(d.id), str(d.case or "-"), d.kind, str(d.escalation_level), d.status,
                str(d.attempts), "\n".join(d.recipients) or "-", when or "-",
                d.last_error or "",
            )
        stdout.print(table)

    run(env, body)


@app.command("dispatch")
def dispatch_command(
    routes: RoutesOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Send every notice that is due; failures are retried with backoff ([dispatch] policy)."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        policy = dispatch_policy(env.policies)
        route_table = _routes(env, routes)
        with env.transaction() as session:
            # Suppliers' copies carry a fresh link to their portal, signed with the site key.
            link_for = site_link_maker(session, settings=env.settings, policies=env.policies,
                                       now=env.now)
            # A customer's survey notice carries its follow-up's link, made again at send time.
            survey_link_for = site_survey_link_maker(session, settings=env.settings,
                                                     now=env.now)
            report = dispatch(
                session,
                now=env.now,
                notifier=AppriseNotifier(),
                routes=route_table,
                max_attempts=policy.max_attempts,
                backoff_seconds=policy.backoff_seconds,
                batch_size=policy.batch_size,
                link_for=link_for,
                concurrency=policy.concurrency,
                survey_link_for=survey_link_for,
            )
        document = {
            "sent": report.sent,
            "retried": report.retried,
            "failed": report.failed,
            "sent_ids": report.sent_ids,
            "retried_ids": report.retried_ids,
            "failed_ids": report.failed_ids,
            "routes": {"file": route_table.source, "found": route_table.found},
        }
        if env.as_json:
            print_json(document)
            return
        stdout.print(
            f"Sent {report.sent}, to retry {report.retried}, failed {report.failed}.",
            highlight=False,
        )
        if not route_table.found:
            stdout.print(
                f"Routes file {route_table.source} not found: the owner and internal roles "
                "reach nobody.", highlight=False,
            )

    run(env, body)


@app.command("retry")
def retry_command(
    notice_id: Annotated[
        int, typer.Argument(help="Notice id (see `capa notify list`).", min=1, max=MAX_ID)
    ],
    routes: RoutesOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Put a failed notice back in line: pending, due now, attempts from zero."""
    env = Env(as_json, db, now)

    def body() -> None:
        route_table = _routes(env, routes)
        with env.transaction() as session:
            notice = retry_notice(session, notice_id=notice_id, now=env.now)
            cases, suppliers = cases_and_suppliers(session, [notice])
            customers = customers_of(session, [notice])
        [document] = notice_documents([notice], cases, suppliers, route_table, customers)
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(
            f"Notice {notice_id} is pending again, due {readable(notice.next_attempt_at)}; "
            f"recipients: {', '.join(document.recipients) or 'none'}.",
            highlight=False,
        )

    run(env, body)
