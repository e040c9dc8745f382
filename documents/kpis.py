"""The 8D KPIs (`capa kpi report --json`, GET /api/v1/kpis) and their CSV and Markdown forms
(`--format csv|md`, the /kpis page's export), all from the one document."""

from __future__ import annotations

from capaflow.casework.kpis import KpiReport
from capaflow.csvfiles import write_csv
from capaflow.documents.base import Public, Timestamp


class DisciplineTimePublic(Public):
    """How long the 8D cases stayed in one discipline, in days."""

    discipline: str
    title: str
    samples: int
    median_days: float | None
    p90_days: float | None


class SupplierOnTimePublic(Public):
    """A supplier's 8D deadlines due in the window: met on time, met late, missed."""

    supplier: str
    name: str
    on_time: int
    met_late: int
    missed: int
    counted: int
    on_time_share: float | None


class AgeBucketPublic(Public):
    """Open 8D cases by days since opening."""

    label: str
    min_days: int
    max_days: int | None
    open_cases: int


class KpiReportPublic(Public):
    start: Timestamp
    end: Timestamp
    now: Timestamp
    cycle_times: list[DisciplineTimePublic]
    on_time: list[SupplierOnTimePublic]
    ageing: list[AgeBucketPublic]


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def kpi_document(report: KpiReport) -> KpiReportPublic:
    return KpiReportPublic(
        start=report.start, end=report.end, now=report.now,
        cycle_times=[
            DisciplineTimePublic(discipline=t.discipline, title=t.title, samples=t.samples,
                                 median_days=_days(t.median_days), p90_days=_days(t.p90_days))
            for t in report.cycle_times],
        on_time=[
            SupplierOnTimePublic(
                supplier=s.supplier, name=s.name, on_time=s.on_time, met_late=s.late,
                missed=s.missed, counted=s.counted,
                on_time_share=None if s.on_time_share is None else round(s.on_time_share, 4))
            for s in report.on_time],
        ageing=[AgeBucketPublic(label=b.label, min_days=b.min_days, max_days=b.max_days,
                                open_cases=b.open_cases) for b in report.ageing],
    )


def _text(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def kpi_csv(document: KpiReportPublic) -> str:
    """One table with a `section` column, so a spreadsheet filters it: the three KPIs.
    Supplier names come from people: written through csvfiles.write_csv (no formulas)."""
    rows: list[list[object]] = []
    rows += [["cycle_time", t.discipline, t.title, t.samples, _text(t.median_days),
              _text(t.p90_days), "", "", "", ""] for t in document.cycle_times]
    rows += [["on_time", s.supplier, s.name, s.counted, "", "", s.on_time, s.met_late,
              s.missed, _text(s.on_time_share)] for s in document.on_time]
    rows += [["ageing", b.label, "open 8D cases", b.open_cases, "", "", "", "", "", ""]
             for b in document.ageing]
    return write_csv(["section", "name", "title", "samples_or_count", "median_days",
                      "p90_days", "on_time", "met_late", "missed", "on_time_share"], rows)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f} %"


def _md_days(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def kpi_markdown(document: KpiReportPublic) -> str:
    lines = [
        f"# 8D KPIs, {document.start.date().isoformat()} to {document.end.date().isoformat()}",
        "",
        "## Cycle time per discipline (days)",
        "",
        "| Discipline | Stays | Median | 90th percentile |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {t.title} | {t.samples} | {_md_days(t.median_days)} | {_md_days(t.p90_days)} |"
          for t in document.cycle_times),
        "",
        "## Deadlines met on time, per supplier",
        "",
        "| Supplier | Met on time | Met late | Missed | On-time share |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {s.supplier} ({s.name}) | {s.on_time} | {s.met_late} | {s.missed} | "
          f"{_share(s.on_time_share)} |" for s in document.on_time),
        "",
        "## Open 8D cases by age",
        "",
        "| Age | Open cases |",
        "| --- | ---: |",
        *(f"| {b.label} | {b.open_cases} |" for b in document.ageing),
        "",
    ]
    return "\n".join(lines)
