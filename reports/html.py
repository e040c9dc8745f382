"""The case's report as one standalone, printable HTML page (inline CSS, no external assets).

Autoescaping is on for every value: titles, notes and supplier names are typed by people
(suppliers among them), so a `<script>` in a title must print as text, never run.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from capaflow.attachments import kind_text, size_text
from capaflow.calendars import readable
from capaflow.reports.content import CaseReport

TEMPLATES = Path(__file__).parent / "templates"

# Built once: the environment caches the compiled template. StrictUndefined makes a misspelt
# name in the template fail the tests instead of printing nothing.
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: datetime | None) -> str:
    return readable(value) or "—"


_environment.filters["when"] = _when
_environment.filters["filesize"] = size_text
_environment.filters["filekind"] = kind_text


def kind_title(report: CaseReport) -> str:
    return "PDCA record" if report.kind == "pdca" else "8D report"


def render_html(report: CaseReport) -> str:
    template = _environment.get_template("case_report.html")
    return template.render(report=report, h=report.header, kind_title=kind_title(report))
