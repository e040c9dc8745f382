"""/cases/{id}/report.html and /cases/{id}/report.pdf: the 8D report (or PDCA record) to
print or send, from the same content model as the Markdown report and the web's case page."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.accounts.scope import visible_case
from capaflow.api.routes.cases import CaseId
from capaflow.reports.content import CaseReport, case_report
from capaflow.reports.html import render_html
from capaflow.reports.pdf import render_pdf
from capaflow.serving.context import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/cases", tags=["reports"])

# A report holds a supplier's data behind a token: no shared cache may keep a copy.
_PRIVATE = {"Cache-Control": "private, no-store"}


def _report(session: Session, principal: Principal, case_id: int, now: datetime) -> CaseReport:
    # Another supplier's case is the same 404 as a case that does not exist (accounts.scope).
    visible_case(session, principal, case_id)
    return case_report(session, case_id=case_id, now=now, for_supplier=principal.supplier_id)


@router.get("/{case_id}/report.html", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}}})
def html_report_route(
    case_id: CaseId, session: SessionDep, now: NowDep, principal: PrincipalDep
) -> HTMLResponse:
    """The case's report as one standalone, printable HTML page."""
    report = _report(session, principal, case_id, now)
    return HTMLResponse(render_html(report), headers=_PRIVATE)


@router.get("/{case_id}/report.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def pdf_report_route(
    case_id: CaseId, session: SessionDep, now: NowDep, principal: PrincipalDep
) -> Response:
    """The case's report as a PDF."""
    report = _report(session, principal, case_id, now)
    kind = "pdca" if report.kind == "pdca" else "8d"
    return Response(
        render_pdf(report),
        media_type="application/pdf",
        headers={
            **_PRIVATE,
            "Content-Disposition": f'inline; filename="case-{case_id}-{kind}-report.pdf"',
        },
    )
