"""What each notice says: one function per kind, in the words of a quality lead, with times
on the site's wall clock (`zone`, the business calendar's).

Every notice names the case number, title, supplier, part, state, the due time and what is
owed, so that it can be acted on without opening the tool.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from capaflow.calendars import readable
from capaflow.models import AuditFinding, Case, Deadline, Supplier
from capaflow.statemachines.words import say


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def _case_lines(case: Case, supplier: Supplier | None) -> list[str]:
    who = f"{supplier.name} ({supplier.code})" if supplier else "internal"
    return [
        f"Case #{case.id}: {case.title}",
        f"Supplier: {who}; part {case.part or '-'}; defect {case.defect_code or '-'}",
        f"State: {say(case.state)}; owner: {case.owner or '-'}",
    ]


def _subject(case: Case, supplier: Supplier | None, text: str) -> str:
    code = f" {supplier.code}" if supplier else ""
    return f"[capaflow] #{case.id}{code}: {text}"[:300]


def reminder(
    case: Case, supplier: Supplier | None, deadline: Deadline, now: datetime,
    zone: tzinfo | None = None,
) -> tuple[str, str]:
    left = _span(deadline.due_at - now)
    subject = _subject(case, supplier, f"{deadline.title} due in {left}")
    body = "\n".join([
        f"Reminder: {deadline.title} is due {readable(deadline.due_at, zone)} (in {left}).",
        *_case_lines(case, supplier),
    ])
    return subject, body


def escalation(
    case: Case,
    supplier: Supplier | None,
    deadline: Deadline,
    level: int,
    skipped: tuple[int, ...],
    roles: tuple[str, ...],
    now: datetime,
    zone: tzinfo | None = None,
) -> tuple[str, str]:
    late = _span(now - deadline.due_at)
    subject = _subject(case, supplier, f"OVERDUE level {level}: {deadline.title}")
    lines = [
        f"Overdue by {late}: {deadline.title} was due {readable(deadline.due_at, zone)}.",
        f"Escalation level {level}, to: {', '.join(say(r) for r in roles)}.",
    ]
    if skipped:
        # The sweep was not running when those levels came due; say so rather than send
        # a pile of stale notices at once.
        lines.append(f"Levels {', '.join(map(str, skipped))} fell due while nobody swept.")
    return subject, "\n".join([*lines, *_case_lines(case, supplier)])


def review(
    case: Case,
    supplier: Supplier | None,
    deadline: Deadline,
    defects_since: int,
    window_end: datetime | None,
    zone: tzinfo | None = None,
) -> tuple[str, str]:
    verdict = (
        "no recurrence so far" if defects_since == 0
        else f"{defects_since} defect(s) of this kind recorded since the countermeasure"
    )
    subject = _subject(case, supplier, f"effectiveness review #{deadline.sequence}: {verdict}")
    lines = [
        f"Monthly effectiveness review #{deadline.sequence} of the countermeasure: {verdict}.",
        f"Countermeasure: {case.content.get('countermeasure', '-')}",
        f"Tracked since {readable(deadline.started_at, zone)}"
        + (f", window ends {readable(window_end, zone)}." if window_end else "."),
    ]
    return subject, "\n".join([*lines, *_case_lines(case, supplier)])


# A finding's description can be long (a page of the audit report); the notice quotes the start.
_QUOTE = 400


def _finding_lines(finding: AuditFinding) -> list[str]:
    text = finding.description
    quoted = text if len(text) <= _QUOTE else text[: _QUOTE - 1] + "…"
    return [
        f"Audit finding #{finding.id} ({finding.factor}: {finding.item}): {quoted}",
        f"Owed by: {finding.owner}. Close it with: capa supplier-audit finding close "
        f"{finding.id} --resolution \"...\"",
    ]


def finding_reminder(
    case: Case, supplier: Supplier | None, deadline: Deadline, finding: AuditFinding,
    now: datetime,
    zone: tzinfo | None = None,
) -> tuple[str, str]:
    left = _span(deadline.due_at - now)
    subject = _subject(case, supplier,
                       f"audit finding #{finding.id} ({finding.item}) due in {left}")
    body = "\n".join([
        f"Reminder: audit finding #{finding.id} is to be closed by "
        f"{readable(deadline.due_at, zone)} (in {left}).",
        *_finding_lines(finding),
        *_case_lines(case, supplier),
    ])
    return subject, body


def finding_escalation(
    case: Case,
    supplier: Supplier | None,
    deadline: Deadline,
    finding: AuditFinding,
    level: int,
    skipped: tuple[int, ...],
    roles: tuple[str, ...],
    now: datetime,
    zone: tzinfo | None = None,
) -> tuple[str, str]:
    late = _span(now - deadline.due_at)
    subject = _subject(case, supplier,
                       f"OVERDUE level {level}: audit finding #{finding.id} ({finding.item})")
    lines = [
        f"Overdue by {late}: audit finding #{finding.id} was to be closed by "
        f"{readable(deadline.due_at, zone)}.",
        f"Escalation level {level}, to: {', '.join(say(r) for r in roles)}.",
    ]
    if skipped:
        lines.append(f"Levels {', '.join(map(str, skipped))} fell due while nobody swept.")
    return subject, "\n".join([*lines, *_finding_lines(finding), *_case_lines(case, supplier)])
