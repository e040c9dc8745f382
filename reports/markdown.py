"""Renders a case as the Markdown document a quality lead sends: 8D report or PDCA record.

It renders the shared content model (reports.content), as the HTML page and the PDF do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from capaflow.attachments import kind_text, size_text
from capaflow.calendars import readable
from capaflow.models import Case, CaseEvent, Deadline, Supplier
from capaflow.reports.content import CaseReport, DeadlineLine, Section, TimelineEntry, build_report

NOT_RECORDED = "_not yet recorded_"


def _when(value: datetime | None) -> str:
    return readable(value) or "-"


def _cell(text: str) -> str:
    # A pipe would split the table's row, a newline would end it.
    return text.replace("|", "\\|").replace("\n", " ")


def _para(value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        return "\n".join(f"- {item}" for item in value)
    return value


def _inline(value: str | tuple[str, ...]) -> str:
    return ", ".join(value) if isinstance(value, tuple) else value


def _section(section: Section) -> list[str]:
    lines = [f"## {section.title}", ""]
    if not section.filled:
        return [*lines, NOT_RECORDED, ""]
    if len(section.entries) == 1:
        lines.append(_para(section.entries[0].value))
    else:
        lines += [f"- **{e.label}:** {_inline(e.value)}" for e in section.entries]
    lines += ["", f"_Filled by {section.filled_by}, {_when(section.filled_at)}._", ""]
    return lines


def _deadline_table(deadlines: Sequence[DeadlineLine]) -> list[str]:
    rows = ["| milestone | due | status | closed |", "| --- | --- | --- | --- |"]
    rows += [
        f"| {d.title} | {_when(d.due_at)} | {d.label} | {_when(d.closed_at)} |" for d in deadlines
    ]
    return rows


def _timeline(timeline: Sequence[TimelineEntry]) -> list[str]:
    rows = ["| # | when | step | by | state | note |", "| --- | --- | --- | --- | --- | --- |"]
    for e in timeline:
        note = e.reason or e.note or ""
        if e.signature is not None:
            note = f"{note} ({e.signature.describe()})" if note else e.signature.describe()
        rows.append(
            f"| {e.seq} | {_when(e.at)} | {e.action} | {e.actor} | {e.moved} | {_cell(note)} |"
        )
    return rows


def _header(report: CaseReport, kind: str) -> list[str]:
    h = report.header
    supplier = f"{h.supplier_name} ({h.supplier_code})" if h.supplier_code else "-"
    lines = [
        f"# {kind} report — case #{h.case_id}: {h.title}",
        "",
        f"- **State:** {h.state}",
        f"- **Supplier:** {supplier}",
        f"- **Part / defect code:** {h.part or '-'} / {h.defect_code or '-'}",
        f"- **Severity / complexity:** {h.severity} / {h.complexity}",
        f"- **Owner:** {h.owner or '-'}",
        f"- **Opened:** {_when(h.opened_at)}; **closed:** {_when(h.closed_at)}",
        f"- **Reopened:** {h.reopen_count} time(s); **occurrences:** {h.occurrences}",
    ]
    if h.cancelled_reason:
        lines.append(f"- **Cancelled because:** {h.cancelled_reason}")
    return [*lines, ""]


def _tail(report: CaseReport) -> list[str]:
    """Deadlines, costs, linked cases, timeline and the audit trail's check."""
    lines = ["## Deadlines", "", *_deadline_table(report.deadlines), ""]
    if report.costs:
        lines += ["## Costs charged back to the supplier", "",
                  "| incurred | kind | amount | currency | note |",
                  "| --- | --- | ---: | --- | --- |"]
        lines += [
            f"| {_when(c.incurred_at)} | {c.kind} | {c.amount} | {c.currency} | "
            f"{_cell(c.note or '')} |"
            for c in report.costs
        ]
        lines += ["", *(f"- **Total:** {amount} {currency}"
                        for currency, amount in report.cost_totals.items()), ""]
    if report.evidence:
        lines += ["## Evidence attached", "",
                  "| file | kind | size | sha256 | added by | added |",
                  "| --- | --- | ---: | --- | --- | --- |"]
        lines += [
            f"| {_cell(f.file_name)} | {kind_text(f.kind)} | {size_text(f.size)} | "
            f"`{f.sha256[:12]}` | {_cell(f.uploaded_by)} | {_when(f.uploaded_at)} |"
            for f in report.evidence
        ]
        lines.append("")
    if report.links:
        lines += ["## Linked cases", ""]
        lines += [
            f"- {'follows' if link.relation == 'follows' else 'followed by'} case "
            f"#{link.case_id}: {link.title} ({link.state})"
            for link in report.links
        ]
        lines.append("")
    lines += ["## Timeline", "", *_timeline(report.timeline), ""]
    if report.chain is not None:
        chain = report.chain
        lines += ["## Audit trail", ""]
        if chain.ok:
            lines.append(f"Hash chain intact: {chain.events} event(s) verified.")
        else:
            lines.append(f"**Hash chain broken** at event #{chain.seq}: {chain.problem}.")
        lines.append("")
    return lines


def eight_d(report: CaseReport) -> str:
    lines = _header(report, "8D")
    for section in report.disciplines:
        lines += _section(section)
    if report.ineffective_countermeasures:
        lines += [
            "## Countermeasures found ineffective (recurrence inside the window)",
            "",
            _para(report.ineffective_countermeasures),
            "",
        ]
        if report.recurrences:
            lines += ["Recurrences reported:", "", _para(report.recurrences), ""]
    return "\n".join([*lines, *_tail(report)])


def pdca(report: CaseReport) -> str:
    lines = _header(report, "PDCA")
    for cycle in report.cycles:
        met = cycle.met
        lines += [
            f"## Cycle {cycle.number}",
            "",
            f"- **Target:** {cycle.target or '-'}",
            f"- **Plan:** {cycle.plan or '-'}",
            f"- **Result:** {cycle.result or '-'}",
            f"- **Target met:** {'yes' if met is True else 'no' if met is False else '-'}",
        ]
        if cycle.standard:
            lines.append(f"- **Standardised as:** {cycle.standard}")
        if cycle.next_cycle_reason:
            lines.append(f"- **Next cycle because:** {cycle.next_cycle_reason}")
        lines.append("")
    return "\n".join([*lines, *_tail(report)])


def render_report(report: CaseReport) -> str:
    return (pdca if report.kind == "pdca" else eight_d)(report)


def render(
    case: Case,
    supplier: Supplier | None,
    events: Sequence[CaseEvent],
    deadlines: Sequence[Deadline],
) -> str:
    """The report from rows already loaded (`capa case report`, GET /cases/{id}/report).

    Undated, as it always was: no deadline is called overdue, and costs, linked cases and the
    chain check are left out; `render_report(case_report(...))` has them all.
    """
    return render_report(
        build_report(case=case, supplier=supplier, events=events, deadlines=deadlines, now=None)
    )
