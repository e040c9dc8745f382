"""The case's report as a PDF, with fpdf2: pure Python, no browser, no system library.

Text is wrapped here, word by word, and drawn line by line with `cell`: fpdf2's own
`multi_cell` and `table` measure each line again for every character added to it, which made
a case with 200 events take over half a second; this way it takes a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from capaflow.attachments import kind_text, size_text
from capaflow.calendars import readable
from capaflow.reports.content import CaseReport, Section

# Debian's fonts-dejavu-core. Looked up on every render, not at import, so a font installed
# (or removed) later is picked up without a restart.
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_REGULAR, _BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"

# Core-font fallback: the PDF standard's Helvetica only knows latin-1, so anything else is
# replaced, the few common typographic signs by their plain look-alikes and the rest by "?".
# Without DejaVu a Cyrillic or Chinese supplier name therefore prints as question marks.
_PLAIN = str.maketrans({
    "—": "-", "–": "-", "→": "->", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
    "•": "-", "€": "EUR", "·": "-",
})

_PAGE_MARGIN = 14.0
_PAD = 1.2  # inside a table cell, mm
_GREY = (91, 102, 112)
_INK = (29, 35, 41)
_LATE = (179, 38, 30)
_OK = (27, 122, 61)


class _Document(FPDF):
    footer_text = ""
    base_family = "helvetica"
    unicode_font = False

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(self.base_family, "", 7.5)
        self.set_text_color(*_GREY)
        self.cell(0, 5, self.clean(f"{self.footer_text} · page {self.page_no()}/{{nb}}"),
                  align="C")

    def clean(self, text: str) -> str:
        if self.unicode_font:
            return text
        plain = text.translate(_PLAIN)
        return plain.encode("latin-1", "replace").decode("latin-1")


def _document(report: CaseReport, font_dir: Path | None) -> _Document:
    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(_PAGE_MARGIN, 14.0, _PAGE_MARGIN)
    pdf.set_auto_page_break(True, margin=16.0)
    regular = font_dir / _REGULAR if font_dir is not None else None
    bold = font_dir / _BOLD if font_dir is not None else None
    if regular is not None and regular.is_file():
        pdf.add_font("dejavu", "", str(regular))
        pdf.add_font("dejavu", "B", str(bold if bold is not None and bold.is_file() else regular))
        pdf.base_family, pdf.unicode_font = "dejavu", True
    h = report.header
    kind = "PDCA record" if report.kind == "pdca" else "8D report"
    pdf.footer_text = f"Case #{h.case_id} · {kind}" + (
        f" · as of {readable(report.as_of)}" if report.as_of else ""
    )
    pdf.set_title(pdf.clean(f"{kind} — case #{h.case_id}: {h.title}"))
    pdf.set_author("capaflow")
    pdf.set_creator("capaflow")
    # Dated by the report, never by the clock: the same case renders the same bytes.
    pdf.set_creation_date(report.as_of or h.opened_at)
    return pdf


class _Writer:
    def __init__(self, pdf: _Document) -> None:
        self.pdf = pdf
        # Dates, states and actors repeat on every timeline row: each width is measured once.
        self._widths: dict[tuple[str, float, str], float] = {}

    def width(self, text: str) -> float:
        key = (self.pdf.font_style, self.pdf.font_size_pt, text)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self.pdf.get_string_width(text)
        return found

    # -- text --------------------------------------------------------------------------

    def font(self, size: float, *, bold: bool = False, color: tuple[int, int, int] = _INK) -> None:
        self.pdf.set_font(self.pdf.base_family, "B" if bold else "", size)
        self.pdf.set_text_color(*color)

    def wrap(self, text: str, width: float) -> list[str]:
        """Lines of `text` that fit `width` (mm) in the current font; words longer than a
        line are cut."""
        pdf = self.pdf
        space = self.width(" ")
        lines: list[str] = []
        for paragraph in pdf.clean(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split():
                size = self.width(word)
                while size > width:  # a word wider than the line: cut it
                    cut = max(1, int(len(word) * width / size))
                    while cut > 1 and self.width(word[:cut]) > width:
                        cut -= 1
                    if line:
                        lines.append(line)
                        line, used = "", 0.0
                    lines.append(word[:cut])
                    word = word[cut:]
                    size = self.width(word)
                if line and used + space + size > width:
                    lines.append(line)
                    line, used = "", 0.0
                line, used = (f"{line} {word}", used + space + size) if line else (word, size)
            lines.append(line)
        return lines

    def paragraph(self, text: str, *, height: float = 4.6, indent: float = 0.0) -> None:
        pdf = self.pdf
        width = pdf.epw - indent
        for line in self.wrap(text, width):
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(width, height, line, new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 12.5) -> None:
        pdf = self.pdf
        # Keep a heading with at least a few lines of what it heads.
        if pdf.get_y() + 24 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(3)
        self.font(size, bold=True)
        self.paragraph(text, height=6.5)
        y = pdf.get_y()
        pdf.set_draw_color(207, 214, 220)
        pdf.line(pdf.l_margin, y, pdf.l_margin + pdf.epw, y)
        pdf.ln(1.5)

    # -- tables ------------------------------------------------------------------------

    def table(self, widths: Sequence[float], header: Sequence[str],
              rows: Sequence[Sequence[str]]) -> None:
        self.row(widths, header, bold=True)
        for cells in rows:
            self.row(widths, cells, repeat=header)

    def row(self, widths: Sequence[float], cells: Sequence[str], *, bold: bool = False,
            repeat: Sequence[str] | None = None, size: float = 7.5) -> None:
        pdf = self.pdf
        height = size * 0.5  # mm per line: the font size (pt) and a little leading
        self.font(size, bold=bold)
        columns = [self.wrap(text, width - 2 * _PAD) for text, width in zip(cells, widths,
                                                                             strict=True)]
        row_height = max(len(lines) for lines in columns) * height + 2 * _PAD
        usable = pdf.page_break_trigger - pdf.t_margin
        if row_height > usable:
            # Taller than a page (a pasted 20,000-character note): as paragraphs instead.
            for title, text in zip(repeat or cells, cells, strict=True):
                self.font(size, bold=True)
                self.paragraph(title)
                self.font(size)
                self.paragraph(text, indent=4)
            return
        if pdf.get_y() + row_height > pdf.page_break_trigger:
            pdf.add_page()
            if repeat is not None:
                self.row(widths, repeat, bold=True, size=size)
                self.font(size)
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_draw_color(207, 214, 220)
        if bold:
            pdf.set_fill_color(243, 246, 248)
        for lines, width in zip(columns, widths, strict=True):
            pdf.rect(x, y, width, row_height, style="DF" if bold else "D")
            for n, line in enumerate(lines):
                pdf.set_xy(x + _PAD, y + _PAD + n * height)
                pdf.cell(width - 2 * _PAD, height, line)
            x += width
        pdf.set_xy(pdf.l_margin, y + row_height)


def _when(value: datetime | None) -> str:
    return readable(value) or "-"


def _stamp(value: datetime | None) -> str:
    # In tables the column header says "(UTC)": a date then fits on one line.
    return readable(value).removesuffix(" UTC") or "-"


def _section(writer: _Writer, section: Section, *, size: float = 12.5) -> None:
    writer.heading(section.title, size)
    if not section.filled:
        writer.font(9.5, color=_GREY)
        writer.paragraph("Not yet recorded.")
        return
    for entry in section.entries:
        writer.font(9.5, bold=True)
        writer.paragraph(entry.label)
        writer.font(9.5)
        value = entry.value if isinstance(entry.value, str) else ", ".join(entry.value)
        writer.paragraph(value, indent=4)
    writer.font(8, color=_GREY)
    writer.paragraph(
        f"Filled by {section.filled_by}, {_when(section.filled_at)} (event #{section.seq})"
    )


def _header(writer: _Writer, report: CaseReport, kind: str) -> None:
    h = report.header
    writer.font(16, bold=True)
    writer.paragraph(f"{kind} — case #{h.case_id}: {h.title}", height=7.5)
    writer.font(9.5, color=_GREY)
    discipline = f" ({h.discipline})" if h.discipline else ""
    writer.paragraph(f"{h.lifecycle_title} · state {h.state}{discipline}")
    writer.pdf.ln(2)
    facts = [
        ("Case number", f"#{h.case_id}"),
        ("Supplier", f"{h.supplier_name} ({h.supplier_code})" if h.supplier_code else "-"),
        ("Part / defect code", f"{h.part or '-'} / {h.defect_code or '-'}"),
        ("Severity / complexity", f"{h.severity} / {h.complexity}"),
        ("Owner", h.owner or "-"),
        ("Team", ", ".join(h.team) or "-"),
        ("Opened / closed", f"{_when(h.opened_at)} / {_when(h.closed_at)}"),
        ("Reopened / occurrences", f"{h.reopen_count} time(s) / {h.occurrences}"),
    ]
    if report.kind == "pdca":
        facts.append(("Cycle", str(h.cycle)))
    if h.cancelled_reason:
        facts.append(("Cancelled because", h.cancelled_reason))
    for label, value in facts:
        writer.row((50.0, writer.pdf.epw - 50.0), (label, value), size=9)


def _body(writer: _Writer, report: CaseReport) -> None:
    if report.kind == "pdca":
        for cycle in report.cycles:
            met = {True: " (target met)", False: " (target missed)", None: ""}[cycle.met]
            writer.heading(f"Cycle {cycle.number}{met}")
            for phase in cycle.phases:
                _section(writer, phase, size=10.5)
        return
    for section in report.disciplines:
        _section(writer, section)
        if section.key == "D6" and report.ineffective_countermeasures:
            writer.font(9.5, bold=True, color=_LATE)
            writer.paragraph("Countermeasures found ineffective (recurrence inside the window)")
            writer.font(9.5)
            for countermeasure in report.ineffective_countermeasures:
                writer.paragraph(f"- {countermeasure}", indent=4)
            for recurrence in report.recurrences:
                writer.paragraph(f"- recurrence: {recurrence}", indent=4)


def _tail(writer: _Writer, report: CaseReport) -> None:
    writer.heading("Deadlines")
    writer.table(
        (86.0, 32.0, 32.0, 32.0), ("Milestone", "Due (UTC)", "Status", "Met at (UTC)"),
        [(d.title, _stamp(d.due_at), d.label, _stamp(d.met_at)) for d in report.deadlines],
    )
    if report.costs:
        writer.heading("Costs charged back to the supplier")
        writer.table(
            (27.0, 20.0, 26.0, 16.0, 65.0, 28.0),
            ("Incurred (UTC)", "Kind", "Amount", "Currency", "Note", "Recorded by"),
            [(_stamp(c.incurred_at), c.kind, str(c.amount), c.currency, c.note or "",
              c.recorded_by) for c in report.costs],
        )
        writer.font(9.5, bold=True)
        for currency, amount in report.cost_totals.items():
            writer.paragraph(f"Total: {amount} {currency}")
    if report.evidence:
        writer.heading("Evidence attached")
        writer.table(
            (62.0, 28.0, 18.0, 24.0, 30.0, 20.0),
            ("File", "Kind", "Size", "sha256", "Added by", "Added (UTC)"),
            [(f.file_name, kind_text(f.kind), size_text(f.size), f.sha256[:12], f.uploaded_by,
              _stamp(f.uploaded_at)) for f in report.evidence],
        )
    if report.links:
        writer.heading("Linked cases")
        writer.font(9.5)
        for link in report.links:
            relation = "Follows" if link.relation == "follows" else "Followed by"
            writer.paragraph(f"{relation} case #{link.case_id}: {link.title} ({link.state})")
    writer.heading("Timeline")
    rows = []
    for e in report.timeline:
        note = "\n".join(text for text in (e.reason, e.note) if text)
        if e.signature is not None:
            note = f"{note}\n{e.signature.describe()}" if note else e.signature.describe()
        rows.append((str(e.seq), _stamp(e.at), e.action, e.actor, e.moved, note))
    writer.table((9.0, 27.0, 40.0, 24.0, 40.0, 42.0),
                 ("#", "When (UTC)", "Step", "By", "State", "Note"), rows)
    if report.chain is not None:
        writer.heading("Audit trail")
        if report.chain.ok:
            writer.font(9.5, color=_OK)
            writer.paragraph(f"Hash chain intact: {report.chain.events} event(s) verified.")
        else:
            writer.font(9.5, bold=True, color=_LATE)
            writer.paragraph(
                f"Hash chain broken at event #{report.chain.seq}: {report.chain.problem}."
            )


def render_pdf(report: CaseReport, *, font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """The report as PDF bytes; `font_dir` None (or without DejaVuSans.ttf) uses Helvetica."""
    pdf = _document(report, font_dir)
    pdf.add_page()
    writer = _Writer(pdf)
    kind = "PDCA record" if report.kind == "pdca" else "8D report"
    _header(writer, report, kind)
    _body(writer, report)
    _tail(writer, report)
    return bytes(pdf.output())
