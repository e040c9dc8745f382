"""The 8D report lists the evidence attached (name, short sha256, who, when) in Markdown,
HTML and PDF; the supplier's copy lists only the shared files, and an internal file's name
does not reach it through the timeline either (docs/architecture.md, "Attachments")."""

from __future__ import annotations

from sqlmodel import Session

from capaflow.attachments import Upload, attach
from capaflow.reports.content import CaseReport, case_report
from capaflow.reports.html import render_html
from capaflow.reports.markdown import render_report as render_markdown
from capaflow.reports.pdf import render_pdf
from tests.attachments.conftest import LIMITS, PDF, PNG
from tests.conftest import T0
from tests.submissions.conftest import LEAD, Desk


def test_the_report_lists_evidence_and_the_suppliers_copy_only_the_shared(desk: Desk) -> None:
    case_id = desk.cases["ACME"]
    acme = desk.suppliers["ACME"]

    def add(session: Session) -> None:
        attach(session, principal=LEAD, case_id=case_id, upload=Upload("crack photo.png", PNG),
               shared=True, now=T0, limits=LIMITS, policy=desk.policy)
        attach(session, principal=LEAD, case_id=case_id, upload=Upload("cost memo.pdf", PDF),
               shared=False, now=T0, limits=LIMITS, policy=desk.policy)
    desk.run(add)

    def reports(session: Session) -> tuple[CaseReport, CaseReport]:
        return (case_report(session, case_id=case_id, now=T0),
                case_report(session, case_id=case_id, now=T0, for_supplier=acme.supplier_id))
    lead_copy, supplier_copy = desk.run(reports)

    assert [f.file_name for f in lead_copy.evidence] == ["crack photo.png", "cost memo.pdf"]
    markdown = render_markdown(lead_copy)
    assert "## Evidence attached" in markdown
    assert lead_copy.evidence[0].sha256[:12] in markdown and "PNG image" in markdown
    assert 'id="evidence"' in render_html(lead_copy)
    assert render_pdf(lead_copy).startswith(b"%PDF")

    assert [f.file_name for f in supplier_copy.evidence] == ["crack photo.png"]
    for text in (render_markdown(supplier_copy), render_html(supplier_copy)):
        assert "crack photo.png" in text and "cost memo.pdf" not in text
