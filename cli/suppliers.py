"""`capa supplier ...`: add, update, list, show, link, rate (cooperation), lift-blacklist."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from capaflow.accounts.links import fixed_span, portal_url, supplier_link
from capaflow.accounts.secrets import site_secret
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
from capaflow.documents.suppliers import (
    blacklist_lifted_document,
    link_document,
    rating_document,
    supplier_detail,
    supplier_document,
)
from capaflow.models.queries import list_cases
from capaflow.scorecards import ATTITUDES, lift_blacklist, load_scorecard_policy, rate_supplier
from capaflow.suppliers.registry import (
    add_supplier,
    get_supplier,
    list_suppliers,
    update_supplier,
)

app = typer.Typer(help="The supplier register.", no_args_is_help=True)


@app.command("add")
def add_command(
    code: Annotated[str, typer.Argument(help="Short supplier code, e.g. ACME.")],
    name: Annotated[str, typer.Option("--name", help="Company name.")],
    contact: Annotated[
        str | None, typer.Option("--contact", help="Apprise URL of the quality contact.")
    ] = None,
    quality_head: Annotated[
        str | None, typer.Option("--quality-head", help="Apprise URL of the head of quality.")
    ] = None,
    executive: Annotated[
        str | None, typer.Option("--executive", help="Apprise URL of the top executive.")
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Register a supplier and whom to reach there by role."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            supplier = add_supplier(
                session, code=code, name=name, contact=contact, quality_head=quality_head,
                executive=executive, now=env.now,
            )
        if env.as_json:
            print_json(supplier_document(supplier).as_json())
        else:
            stdout.print(f"Supplier {supplier.code} added ({supplier.name}).", highlight=False)

    run(env, body)


@app.command("update")
def update_command(
    code: Annotated[str, typer.Argument(help="Supplier code.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Company name.", show_default=False)
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="Apprise URL of the quality contact ('' clears it).",
                     show_default=False),
    ] = None,
    quality_head: Annotated[
        str | None,
        typer.Option("--quality-head", help="Apprise URL of the head of quality ('' clears it).",
                     show_default=False),
    ] = None,
    executive: Annotated[
        str | None,
        typer.Option("--executive", help="Apprise URL of the top executive ('' clears it).",
                     show_default=False),
    ] = None,
    by: ActorOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Change a supplier's name or whom to reach there; each change is on record in the
    supplier's decisions. Options not given stay as they are."""
    env = Env(as_json, db, now, actor_name=by)

    def body() -> None:
        with env.transaction() as session:
            supplier, decision = update_supplier(
                session, code=code, name=name, contact=contact, quality_head=quality_head,
                executive=executive, actor=env.actor, now=env.now,
            )
        if env.as_json:
            print_json(supplier_document(supplier).as_json())
        elif decision is None:
            stdout.print(f"Supplier {supplier.code}: nothing changed.", highlight=False)
        else:
            stdout.print(f"Supplier {supplier.code} updated: {decision.reason}", highlight=False,
                         markup=False)

    run(env, body)


@app.command("list")
def list_command(as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None) -> None:
    """All suppliers."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            suppliers = list_suppliers(session)
        rows = [supplier_document(s) for s in suppliers]
        if env.as_json:
            print_json([row.as_json() for row in rows])
            return
        table = Table(title=f"{len(rows)} supplier(s)", title_justify="left")
        for column in ("code", "name", "contact", "quality head", "executive"):
            table.add_column(column)
        for r in rows:
            table.add_row(r.code, r.name, r.contact or "-", r.quality_head or "-",
                          r.executive or "-")
        stdout.print(table)

    run(env, body)


@app.command("show")
def show_command(
    code: Annotated[str, typer.Argument(help="Supplier code.")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """One supplier, with its open cases."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            supplier = get_supplier(session, code)
            cases = list_cases(session, now=env.now, supplier_id=supplier.id)
        document = supplier_detail(supplier, cases)
        if env.as_json:
            print_json(document.as_json())
            return
        stdout.print(
            f"[bold]{supplier.code}[/] {supplier.name}\n"
            f"  contact {document.contact or '-'}\n"
            f"  head of quality {document.quality_head or '-'}\n"
            f"  executive {document.executive or '-'}",
            highlight=False,
        )
        for c in document.cases:
            stdout.print(f"  case #{c.id} {c.state}: {c.title}", highlight=False)

    run(env, body)


@app.command("link")
def link_command(
    code: Annotated[str, typer.Argument(help="Supplier code.")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """A signed link into the supplier's portal, valid for the web.supplier_link_valid policy."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        valid_for = fixed_span(env.policies, "supplier_link_valid")
        with env.transaction() as session:
            supplier = get_supplier(session, code)
            assert supplier.id is not None
            # The key the web server opens links with (CAPA_SECRET_KEY, else the site's own).
            secret = site_secret(session, configured=env.settings.secret_key, now=env.now)
        token = supplier_link(secret, supplier_id=supplier.id, now=env.now, valid_for=valid_for)
        link = portal_url(env.settings.base_url, token)
        valid_until = env.now + valid_for
        if env.as_json:
            print_json(link_document(supplier, link, valid_until).as_json())
            return
        stdout.print(link, highlight=False, soft_wrap=True)
        stdout.print(f"Opens the portal of {supplier.code} until {readable(valid_until)}.",
                     highlight=False)

    run(env, body)


@app.command("rate")
def rate_command(
    code: Annotated[str, typer.Argument(help="Supplier code.")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM, now's month or earlier.")],
    attitude: Annotated[str, typer.Option("--attitude", help=" | ".join(ATTITUDES))],
    by: ActorOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Rate the supplier's cooperation for a month (it counts in that month's grade)."""
    env = Env(as_json, db, now, config, by)

    def body() -> None:
        policy = load_scorecard_policy(env.policies, env.deadline_policy.calendar)
        with env.transaction() as session:
            supplier, rating = rate_supplier(
                session, code=code, month=month, attitude=attitude, actor=env.actor,
                now=env.now, policy=policy,
            )
        if env.as_json:
            print_json(rating_document(supplier, rating).as_json())
        else:
            stdout.print(
                f"{supplier.code} {rating.month}: {rating.attitude.replace('_', ' ')} "
                f"(rated by {rating.rated_by}).",
                highlight=False,
            )

    run(env, body)


@app.command("lift-blacklist")
def lift_blacklist_command(
    code: Annotated[str, typer.Argument(help="Supplier code.")],
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why its lots may be accepted again (required).",
                     show_default=False),
    ] = None,
    by: ActorOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    now: NowOpt = None,
) -> None:
    """Accept a blacklisted supplier's lots again: a quality lead's decision, on record."""
    env = Env(as_json, db, now, actor_name=by)

    def body() -> None:
        with env.transaction() as session:
            supplier, decision = lift_blacklist(
                session, code=code, reason=reason, actor=env.actor, now=env.now
            )
        if env.as_json:
            print_json(blacklist_lifted_document(supplier, decision).as_json())
        else:
            stdout.print(
                f"Blacklist of {supplier.code} lifted by {decision.actor}: {decision.reason}",
                highlight=False,
            )

    run(env, body)
