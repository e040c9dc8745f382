"""Renders a case as the Markdown document a quality lead sends: 8D report or PDCA record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from calendars import readable
from models import Case, CaseEvent, Deadline, Supplier


def _when(value: datetime | None) -> str:
    return readable(value) or "-"


def _para(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "_not yet recorded_"
    if isinstance(value, list):
        return "\n".join(f"- {item}" for item in value)
    return str(value)


def _deadline_table(deadlines: Sequence[Deadline]) -> list[str]:
    rows = ["| milestone | due | status | closed |", "| --- | --- | --- | --- |"]
    for d in deadlines:
        status = d.status
        if d.status == "met":
            status = "met on time" if d.met_on_time else "met late"
        title = d.title + (f" #{d.sequence}" if d.key == "effectiveness_review" else "")
        rows.append(f"| {title} | {_when(d.due_at)} | {status} | {_when(d.closed_at)} |")
    return rows


def _timeline(events: Sequence[CaseEvent]) -> list[str]:
    rows = ["| # | when | step | by | state | note |", "| --- | --- | --- | --- | --- | --- |"]
    for e in events:
        reason = e.fields.get("reason") or e.note or ""
        moved = f"{e.from_state} → {e.to_state}" if e.from_state else e.to_state
        cell = str(reason).replace("|", "\\|").replace("\n", " ")
        rows.append(f"| {e.seq} | {_when(e.at)} | {e.action} | {e.actor} | {moved} | {cell} |")
    return rows


def _header(case: Case, supplier: Supplier | None, kind: str) -> list[str]:
    return [
        f"# {kind} report — case #{case.id}: {case.title}",
        "",
        f"- **State:** {case.state}",
        f"- **Supplier:** {f'{supplier.name} ({supplier.code})' if supplier else '-'}",
        f"- **Part / defect code:** {case.part or '-'} / {case.defect_code or '-'}",
        f"- **Severity / complexity:** {case.severity} / {case.complexity}",
        f"- **Owner:** {case.owner or '-'}",
        f"- **Opened:** {_when(case.opened_at)}; **closed:** {_when(case.closed_at)}",
        f"- **Reopened:** {case.reopen_count} time(s); **occurrences:** {case.occurrences}",
        "",
    ]


def eight_d(
    case: Case,
    supplier: Supplier | None,
    events: Sequence[CaseEvent],
    deadlines: Sequence[Deadline],
) -> str:
    c = case.content
    sections: list[tuple[str, Any]] = [
        ("D1 Team", c.get("team")),
        ("D2 Problem description", c.get("problem")),
        ("D3 Containment", c.get("containment")),
        (
            "D4 Root cause",
            None
            if "root_cause" not in c
            else "\n".join(
                [
                    f"- **Occurrence (why it happened):** {c.get('root_cause')}",
                    f"- **Escape point (why it was not detected):** {c.get('escape_point')}",
                    f"- **5M1E category:** {c.get('category')}",
                ]
            ),
        ),
        ("D5 Short-term fix", c.get("short_term_fix")),
        ("D6 Long-term countermeasure", c.get("countermeasure")),
        ("D6 Verification", c.get("verification")),
        ("D7 Systemic prevention", c.get("prevention")),
        ("D8 Closure and lessons learned", c.get("lessons")),
    ]
    lines = _header(case, supplier, "8D")
    for title, value in sections:
        lines += [f"## {title}", "", _para(value), ""]
    if c.get("ineffective_countermeasures"):
        lines += [
            "## Countermeasures found ineffective (recurrence inside the window)",
            "",
            _para(c["ineffective_countermeasures"]),
            "",
        ]
    lines += ["## Deadlines", "", *_deadline_table(deadlines), ""]
    lines += ["## Timeline", "", *_timeline(events), ""]
    return "\n".join(lines)


def pdca(
    case: Case,
    supplier: Supplier | None,
    events: Sequence[CaseEvent],
    deadlines: Sequence[Deadline],
) -> str:
    lines = _header(case, supplier, "PDCA")
    cycles = case.content.get("cycles", {})
    for number in sorted(cycles, key=int):
        cycle = cycles[number]
        met = cycle.get("met")
        lines += [
            f"## Cycle {number}",
            "",
            f"- **Target:** {cycle.get('target', '-')}",
            f"- **Plan:** {cycle.get('plan', '-')}",
            f"- **Result:** {cycle.get('result', '-')}",
            f"- **Target met:** {'yes' if met is True else 'no' if met is False else '-'}",
        ]
        if "standard" in cycle:
            lines.append(f"- **Standardised as:** {cycle['standard']}")
        if "reason" in cycle:
            lines.append(f"- **Next cycle because:** {cycle['reason']}")
        lines.append("")
    lines += ["## Deadlines", "", *_deadline_table(deadlines), ""]
    lines += ["## Timeline", "", *_timeline(events), ""]
    return "\n".join(lines)


def render(
    case: Case,
    supplier: Supplier | None,
    events: Sequence[CaseEvent],
    deadlines: Sequence[Deadline],
) -> str:
    return (pdca if case.lifecycle == "pdca" else eight_d)(case, supplier, events, deadlines)
