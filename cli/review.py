"""`capa review month YYYY-MM [--department D] [--format md|csv|json]` shows the monthly
review, read only; `capa review close-month YYYY-MM` keeps the month's figures and opens the
PDCA cycles of the indicators that missed twice running (docs/architecture.md, "Service
quality control"). The figures are targets.review's; this module only writes them."""

from __future__ import annotations

from typing import Annotated

import typer

from capaflow.calendars import readable
from capaflow.cli.common import ConfigOpt, DbOpt, Env, JsonOpt, NowOpt, print_json, run, stdout
from capaflow.csvfiles import write_csv
from capaflow.documents.targets import (
    IndicatorReviewPublic,
    MonthlyReviewPublic,
    closed_month_document,
    review_document,
)
from capaflow.errors import BadInput
from capaflow.targets.closing import close_month
from capaflow.targets.policy import review_policy
from capaflow.targets.review import monthly_review

review_app = typer.Typer(help="The monthly service quality review: indicators and targets.",
                         no_args_is_help=True)

FORMATS = ("md", "csv", "json")
Month = Annotated[str, typer.Argument(help="YYYY-MM, on [calendar]'s zone.")]

VERDICTS = {
    "none": "",
    "cycle_open": "PDCA #{case} still open",
    "cycle_due": "missed twice running: closing the month opens a PDCA cycle",
    "cycle_opened": "PDCA #{case} opened",
}


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f} %" if unit == "share" else f"{value:g}"


def verdict_text(row: IndicatorReviewPublic) -> str:
    v = row.verdict
    text = VERDICTS.get(v.status, v.status).format(case=v.cycle_case_id)
    if v.act_failed and v.earlier_case_id is not None:
        text += f" (PDCA #{v.earlier_case_id} closed and it missed again: its act failed)"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows), ""]


def _met(met: bool | None) -> str:
    return "-" if met is None else "met" if met else "missed"


def to_markdown(review: MonthlyReviewPublic) -> str:
    out = [f"# Service quality review {review.month}", "",
           f"{readable(review.starts_at)} to {readable(review.ends_at)} ({review.timezone}"
           f" month); computed {readable(review.computed_at)}; "
           + ("figures kept when the month was closed." if review.closed
              else "the month is not closed: figures measured now."), ""]
    for dept in review.departments:
        out += [f"## {dept.title} ({dept.code})", ""]
        out += _table(
            ["indicator", "value", "target", "", "trend (12 months)", "PDCA"],
            [[row.title, figure(row.value, row.unit),
              ("≥ " if row.direction == "at_least" else "≤ ") + figure(row.target, row.unit)
              if row.target is not None else "-", _met(row.met),
              " ".join(figure(t.value, row.unit) for t in row.trend), verdict_text(row)]
             for row in dept.indicators])
        out += [f"### Actions open or late: {len(dept.actions)}", ""]
        out += _table(["case", "from", "state", "owner", "next due", "late", "title"],
                      [[f"#{a.case_id}", a.source, a.state, a.owner or "-",
                        readable(a.next_due_at) if a.next_due_at else "-",
                        "late" if a.late else "", a.title] for a in dept.actions])
        out += [f"### Incidents: {len(dept.incidents)}", ""]
        out += _table(["incident", "severity", "at", "title"],
                      [[i.reference, i.severity, readable(i.at), i.title]
                       for i in dept.incidents])
        out += [f"### Causes by the six factors (5M1E): {dept.causes_total}", ""]
        out += _table(["factor", "count", "share", "cumulative"],
                      [[c.category, str(c.count), figure(c.share, "share"),
                        figure(c.cumulative_share, "share")] for c in dept.causes])
    return "\n".join(out)


def _blank(value: object) -> object:
    return "" if value is None else value


def to_csv(review: MonthlyReviewPublic) -> str:
    """One indicator and month a row: easy to filter and pivot."""
    rows: list[list[object]] = []
    for dept in review.departments:
        for row in dept.indicators:
            rows += [[dept.code, row.name, t.month, _blank(t.value), _blank(t.target),
                      _blank(t.met), row.verdict.status if t.month == review.month else ""]
                     for t in row.trend]
    return write_csv(["department", "indicator", "month", "value", "target", "met", "rule"],
                     rows)


@review_app.command("month")
def review_month(
    month: Month,
    department: Annotated[str | None, typer.Option(
        "--department", help="One department's review (default: all).")] = None,
    output_format: Annotated[str, typer.Option("--format", help="md, csv or json.")] = "md",
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """The month's review: each indicator against its target with its 12-month trend, the
    actions open or late, incidents, the 5M1E Pareto of causes. Writes nothing."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        wanted = output_format.strip().lower()
        if wanted not in FORMATS:
            raise BadInput(f"format: '{output_format}' is not one of {', '.join(FORMATS)}",
                           field="format")
        with env.transaction() as session:
            document = review_document(monthly_review(
                session, month=month, department=department, now=env.now,
                review=review_policy(env.runtime.policies)))
        if env.as_json or wanted == "json":
            print_json(document.as_json())
            return
        typer.echo(to_csv(document) if wanted == "csv" else to_markdown(document), nl=False)

    run(env, body)


@review_app.command("close-month")
def review_close_month(
    month: Month,
    as_json: JsonOpt = False, db: DbOpt = None, now: NowOpt = None, config: ConfigOpt = None,
) -> None:
    """Close an ended month: keep its figures and open a PDCA cycle for each indicator that
    missed its target twice running. Again for the same month: nothing new."""
    env = Env(as_json, db, now, config)

    def body() -> None:
        with env.transaction() as session:
            document = closed_month_document(close_month(
                session, month=month, now=env.now, review=review_policy(env.runtime.policies),
                policy=env.deadline_policy))
        if env.as_json:
            print_json(document.as_json())
            return
        kept = (f"{document.kept} figures kept" if document.kept
                else "figures were kept before")
        stdout.print(f"Review {document.month} closed: {kept}; "
                     f"{len(document.opened)} PDCA cycle(s) opened.", highlight=False,
                     markup=False)
        for cycle in document.opened:
            stdout.print(f"  PDCA #{cycle.case_id}: {cycle.department} {cycle.indicator}"
                         + (f" (after #{cycle.earlier_case_id}, whose act failed)"
                            if cycle.act_failed else ""), highlight=False, markup=False)

    run(env, body)
