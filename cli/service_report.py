"""`capa service report --month YYYY-MM [--format md|csv|json]` and `capa service digest
--week YYYY-Www`: the monthly service report and the weekly digest to management
(docs/architecture.md, "Service desk"). The figures are servicedesk.reports's; this module
only writes them as Markdown or CSV."""

from __future__ import annotations

from typing import Annotated

import typer

from capaflow.calendars import readable
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from capaflow.cli.service import service_app
from capaflow.csvfiles import write_csv
from capaflow.documents.service_report import (
    AttainmentPublic,
    ServiceReportPublic,
    digest_document,
    service_report_document,
)
from capaflow.errors import BadInput
from capaflow.servicedesk.digest import previous_week, weekly_digest
from capaflow.servicedesk.reports import service_report

FORMATS = ("md", "csv", "json")


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f} %"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _shares(rows: list[AttainmentPublic]) -> list[list[str]]:
    return [[r.group, str(r.counted), str(r.met_on_time), str(r.breached), percent(r.share)]
            for r in rows]


def to_markdown(report: ServiceReportPublic) -> str:
    out = [f"# Service report {report.month}", "",
           f"Requests received {readable(report.starts_at)} to {readable(report.ends_at)}"
           f" ({report.timezone} month); computed {readable(report.computed_at)}.", "",
           f"## Requests received: {report.received}", ""]
    for title, counts in (("kind", report.by_kind), ("channel", report.by_channel),
                          ("tier", report.by_tier), ("severity", report.by_severity)):
        out += _table([title, "requests"], [[k, str(v)] for k, v in counts.items()])
    out += ["## SLA attainment", "",
            "Each clock counts in the month it fell due: met on time, or breached (met late,"
            " or still running past due).", ""]
    share_header = ["", "counted", "met on time", "breached", "attainment"]
    out += _table(["clock", *share_header[1:]], _shares(list(report.attainment)))
    for clock in report.attainment:
        for by, rows in (("tier", clock.by_tier), ("severity", clock.by_severity),
                         ("team", clock.by_team)):
            out += [f"### {clock.group} by {by}", ""]
            out += _table([by, *share_header[1:]], _shares(rows))
    out += [f"## Breaches: {report.breaches_total}", ""]
    if report.breaches_total > len(report.breaches):
        out += [f"The first {len(report.breaches)} by due time.", ""]
    out += _table(
        ["request", "customer", "tier", "severity", "team", "clock", "due", "late (min)",
         "met"],
        [[f"#{b.request}", b.customer, b.tier, b.severity, b.team, b.clock, readable(b.due_at),
          str(b.late_minutes), readable(b.met_at) if b.met_at else "still running"]
         for b in report.breaches])
    s = report.satisfaction
    out += ["## Satisfaction", "",
            f"- Follow-ups answered: {s.answered}; no response: {s.no_response};"
            f" response rate {percent(s.response_rate)}",
            f"- CSAT (overall 4 or 5): {percent(s.csat)} of {s.csat_answers} answers",
            f"- NPS: {_number(s.nps)} ({s.promoters} promoters, {s.detractors} detractors,"
            f" {s.nps_answers} answers)", ""]
    out += _table(["dimension", "mean (1-5)"],
                  [[name, _number(mean)] for name, mean in s.dimensions.items()])
    out += ["## Trend over 12 months", ""]
    out += _table(["month", "CSAT", "NPS", "first response", "resolution", "answers",
                   "clocks"],
                  [[t.month, percent(t.csat), _number(t.nps), percent(t.first_response),
                    percent(t.resolution), str(t.answered), str(t.clocks)]
                   for t in report.trend])
    out += [f"## Complaints by category: {report.complaints_total}", ""]
    out += _table(["category", "complaints", "share", "cumulative"],
                  [[p.category, str(p.count), percent(p.share), percent(p.cumulative_share)]
                   for p in report.complaints])
    out += [f"## Claims: {len(report.claims)}", ""]
    out += _table(["request", "customer", "severity", "state", "received", "corrective case",
                   "title"],
                  [[f"#{c.request}", c.customer, c.severity, c.state, readable(c.received_at),
                    f"#{c.corrective_case}" if c.corrective_case else "-", c.title]
                   for c in report.claims])
    return "\n".join(out)


def _blank(value: object) -> object:
    return "" if value is None else value


def _attainment_rows(report: ServiceReportPublic) -> list[list[object]]:
    rows: list[list[object]] = []
    for clock in report.attainment:
        groups = [("all", clock), *((f"tier:{r.group}", r) for r in clock.by_tier),
                  *((f"severity:{r.group}", r) for r in clock.by_severity),
                  *((f"team:{r.group}", r) for r in clock.by_team)]
        rows += [["attainment", clock.group, name, measure, _blank(getattr(row, measure))]
                 for name, row in groups
                 for measure in ("counted", "met_on_time", "breached", "share")]
    return rows


def _satisfaction_rows(report: ServiceReportPublic) -> list[list[object]]:
    s = report.satisfaction
    rows: list[list[object]] = [
        ["satisfaction", "", "all", measure, _blank(getattr(s, measure))]
        for measure in ("answered", "no_response", "response_rate", "csat", "csat_answers",
                        "nps", "nps_answers", "promoters", "detractors")]
    rows += [["satisfaction", "", f"dimension:{name}", "mean", _blank(mean)]
             for name, mean in s.dimensions.items()]
    rows += [["trend", "", t.month, measure, _blank(getattr(t, measure))]
             for t in report.trend
             for measure in ("csat", "nps", "first_response", "resolution", "answered",
                             "clocks")]
    return rows


def to_csv(report: ServiceReportPublic) -> str:
    """One figure a row (section, clock, group, measure, value): easy to filter and pivot."""
    rows: list[list[object]] = [["received", "", "all", "requests", report.received]]
    for title, counts in (("kind", report.by_kind), ("channel", report.by_channel),
                          ("tier", report.by_tier), ("severity", report.by_severity)):
        rows += [["received", "", f"{title}:{name}", "requests", count]
                 for name, count in counts.items()]
    rows += _attainment_rows(report)
    rows += [["breach", b.clock, f"request:{b.request}", "late_minutes", b.late_minutes]
             for b in report.breaches]
    rows += _satisfaction_rows(report)
    rows += [["complaints", "", p.category, measure, getattr(p, measure)]
             for p in report.complaints for measure in ("count", "share", "cumulative_share")]
    rows += [["claim", "", f"request:{c.request}", "state", c.state] for c in report.claims]
    # Categories and names come from people: neutralised against formulas (csvfiles).
    return write_csv(["section", "clock", "group", "measure", "value"], rows)


@service_app.command("report")
def service_report_command(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM, on [calendar]'s zone.")],
    output_format: Annotated[str, typer.Option("--format", help="md, csv or json.")] = "md",
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The month's service report: requests, SLA attainment and breaches, satisfaction and
    its 12-month trend, complaints by category, claims."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        wanted = output_format.strip().lower()
        if wanted not in FORMATS:
            raise BadInput(f"format: '{output_format}' is not one of {', '.join(FORMATS)}",
                           field="format")
        zone = env.deadline_policy.calendar.zone
        with env.transaction() as session:
            document = service_report_document(
                service_report(session, month=month, now=env.now, zone=zone))
        if env.as_json or wanted == "json":
            print_json(document.as_json())
            return
        # Written raw: the report is a document to send, not rich console output.
        typer.echo(to_csv(document) if wanted == "csv" else to_markdown(document), nl=False)

    run(env, body)


@service_app.command("digest")
def service_digest_command(
    week: Annotated[
        str | None,
        typer.Option("--week", help="YYYY-Www (default: the week before now's).",
                     show_default=False),
    ] = None,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Queue the week's digest to management: complaints and claims, what is still open,
    what breached. Once per week: a second run queues nothing."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        zone = env.deadline_policy.calendar.zone
        with env.transaction() as session:
            digest = weekly_digest(session, week=week or previous_week(env.now, zone),
                                   now=env.now, zone=zone)
            document = digest_document(digest)
        if env.as_json:
            print_json(document.as_json())
            return
        what = (f"queued as notice #{document.notice}" if document.queued
                else f"already queued (notice #{document.notice}); nothing new queued")
        stdout.print(f"Digest {document.week} to management {what}: {document.subject}",
                     highlight=False, markup=False)

    run(env, body)
