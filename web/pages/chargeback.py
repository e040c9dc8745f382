"""The charge-back statement page (/chargeback?supplier=CODE&month=YYYY-MM): a supplier's
costs of a month per case and kind with the totals per currency, through
chargeback.build_statement as `capa chargeback`; its CSV (the CLI's `--format csv`) and a
printable page to send. The costs themselves are recorded on the case page.

The quality team reads it (a supplier reads its own through the API); a bad month or an
unknown supplier shows the chooser again with the field named.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.chargeback import build_statement, to_csv
from capaflow.chargeback.statement import Statement
from capaflow.documents.costs import statement_document
from capaflow.errors import BadInput, NotFound
from capaflow.scorecards.months import month_of, shift
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.suppliers.registry import list_suppliers
from capaflow.web.auth import StaffDep
from capaflow.web.quality_forms import Problem, require_quality_reader
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

# A statement holds a supplier's money: no shared cache may keep a copy.
PRIVATE = {"Cache-Control": "private, no-store"}
Code = Query("", max_length=200)
Month = Query("", max_length=20)


def _statement_page(request: Request, session: Session, *, principal: Principal,
                    now: datetime, supplier: str, month: str, template: str = "chargeback.html",
                    statement: Statement | None = None, status: int = 200,
                    problem: Problem | None = None) -> HTMLResponse:
    response = page(
        request, template, principal=principal, now=now, status=status,
        suppliers=list_suppliers(session), supplier=supplier, month=month,
        statement=statement_document(statement) if statement is not None else None,
        supplier_name=statement.supplier_name if statement is not None else "",
        problem=problem)
    response.headers.update(PRIVATE)
    return response


def _statement(session: Session, ctx: ContextDep, now: datetime, supplier: str,
               month: str) -> Statement:
    return build_statement(session, supplier_code=supplier, month=month, now=now,
                           zone=ctx.deadline_policy.calendar.zone)


@router.get("/chargeback")
def chargeback_page(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                    principal: StaffDep, supplier: str = Code, month: str = Month) -> Response:
    require_quality_reader(principal)
    wanted = month.strip() or shift(month_of(now, ctx.deadline_policy.calendar.zone), -1)
    if not supplier.strip():
        return _statement_page(request, session, principal=principal, now=now, supplier="",
                               month=wanted)
    try:
        statement = _statement(session, ctx, now, supplier.strip(), wanted)
    except (BadInput, NotFound) as exc:
        problem = Problem.of(exc, "statement")
        return _statement_page(request, session, principal=principal, now=now,
                               supplier=supplier, month=wanted, status=problem.status,
                               problem=problem)
    return _statement_page(request, session, principal=principal, now=now,
                           supplier=statement.supplier, month=statement.month,
                           statement=statement)


@router.get("/chargeback/print")
def chargeback_print(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                     principal: StaffDep, supplier: str = Code, month: str = Month) -> Response:
    """The statement alone on a page, to print or save as PDF from the browser."""
    require_quality_reader(principal)
    statement = _statement(session, ctx, now, supplier.strip(), month.strip())
    return _statement_page(request, session, principal=principal, now=now,
                           supplier=statement.supplier, month=statement.month,
                           template="chargeback_print.html", statement=statement)


@router.get("/chargeback.csv")
def chargeback_csv(session: SessionDep, now: NowDep, ctx: ContextDep, principal: StaffDep,
                   supplier: str = Code, month: str = Month) -> Response:
    """The statement as CSV, as `capa chargeback --format csv` writes it."""
    require_quality_reader(principal)
    statement = _statement(session, ctx, now, supplier.strip(), month.strip())
    name = f"chargeback-{statement.supplier}-{statement.month}.csv"
    return Response(to_csv(statement), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             **PRIVATE})
