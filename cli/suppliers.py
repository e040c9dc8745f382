"""`capa supplier ...`: add, list, show."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from cli.views import supplier_json
from models.queries import list_cases
from suppliers.registry import add_supplier, get_supplier, list_suppliers

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
            print_json(supplier_json(supplier))
        else:
            stdout.print(f"Supplier {supplier.code} added ({supplier.name}).", highlight=False)

    run(env, body)


@app.command("list")
def list_command(as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None) -> None:
    """All suppliers."""
    env = Env(as_json, db, now)

    def body() -> None:
        with env.transaction() as session:
            suppliers = list_suppliers(session)
        rows = [supplier_json(s) for s in suppliers]
        if env.as_json:
            print_json(rows)
            return
        table = Table(title=f"{len(rows)} supplier(s)", title_justify="left")
        for column in ("code", "name", "contact", "quality head", "executive"):
            table.add_column(column)
        for r in rows:
            table.add_row(r["code"], r["name"], r["contact"] or "-", r["quality_head"] or "-",
                          r["executive"] or "-")
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
        document = supplier_json(supplier)
        document["cases"] = [
            {"id": c.id, "lifecycle": c.lifecycle, "state": c.state, "title": c.title}
            for c in cases
        ]
        if env.as_json:
            print_json(document)
            return
        stdout.print(
            f"[bold]{supplier.code}[/] {supplier.name}\n"
            f"  contact {document['contact'] or '-'}\n"
            f"  head of quality {document['quality_head'] or '-'}\n"
            f"  executive {document['executive'] or '-'}",
            highlight=False,
        )
        for c in document["cases"]:
            stdout.print(f"  case #{c['id']} {c['state']}: {c['title']}", highlight=False)

    run(env, body)
