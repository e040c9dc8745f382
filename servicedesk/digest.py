"""The weekly digest to management (docs/architecture.md, "Service desk"): every complaint and
claim received in the week, the complaints and claims still open, and the SLA clocks that
breached in the week (due in it, and met late or still running past due; the monthly
report's definition). One notice to the `management` role through the outbox, with a dedupe
key per week: queued twice, it is sent once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from capaflow.calendars import readable
from capaflow.errors import BadInput
from capaflow.models import Notification
from capaflow.models.db import build
from capaflow.servicedesk import reports
from capaflow.servicedesk.reports import Breach, Received
from capaflow.statemachines.service import OPEN_STATES

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# Beyond this a section of the notice is cut ("... and N more"): it is read on a phone.
LIST_LIMIT = 50
KIND = "service_digest"


@dataclass(frozen=True)
class Digest:
    week: str
    starts_at: datetime
    ends_at: datetime
    queued: bool
    notice: int | None
    subject: str
    complaints: list[Received]
    claims: list[Received]
    still_open: list[Received]
    still_open_total: int
    breaches: list[Breach]
    breaches_total: int


def parse_week(text: str, *, field: str = "week") -> tuple[int, int]:
    """(year, week) of an ISO week "YYYY-Www"; anything else is BadInput naming `field`."""
    found = _WEEK.match(text.strip()) if isinstance(text, str) else None
    if found is not None:
        try:
            date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
            return int(found.group(1)), int(found.group(2))
        except ValueError:
            pass
    raise BadInput(f"{field}: {text!r} is not an ISO week as YYYY-Www (e.g. 2026-W48)",
                   field=field)


def week_of(instant: datetime, zone: ZoneInfo) -> str:
    year, week, _ = instant.astimezone(zone).isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_bounds(week: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 of the week and of the next, on the calendar's wall clock, in UTC."""
    year, number = parse_week(week)
    monday = date.fromisocalendar(year, number, 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    after = monday + timedelta(days=7)
    end = datetime(after.year, after.month, after.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def previous_week(now: datetime, zone: ZoneInfo) -> str:
    """The week before now's: run on Monday morning, the week that has just ended."""
    return week_of(now - timedelta(days=7), zone)


def _still_open(session: Session, before: datetime) -> tuple[list[Received], int]:
    r, c = reports.requests_table.c, reports.cases_table.c
    where = (r.kind.in_(("complaint", "claim")), r.received_at < before,
             c.state.in_(OPEN_STATES))
    total = session.execute(
        select(func.count()).select_from(reports.requests_table.join(
            reports.cases_table, c.id == r.case_id)).where(*where)).scalar_one()
    return reports.received_of_kinds(session, ("complaint", "claim"), None, before,
                                     open_only=True, limit=LIST_LIMIT), int(total)


def _breach_count(session: Session, start: datetime, end: datetime, now: datetime) -> int:
    d = reports.deadlines_table.c
    _, breached = reports.clock_outcomes(now)
    query = (select(func.count()).where(d.key.in_(reports.SLA_KEYS), d.due_at >= start,
                                        d.due_at < end, case((breached, 1), else_=0) == 1))
    return int(session.execute(query).scalar_one())


def _line(item: Received, zone: ZoneInfo) -> str:
    received = item.received_at.astimezone(zone).strftime("%a %d %b %H:%M")
    return (f"  #{item.request} {item.customer} {item.severity}, {item.state}: {item.title}"
            f" (received {received})")


def _breach_line(item: Breach) -> str:
    hours, minutes = divmod(item.late_minutes, 60)
    how = "still running" if item.running else "met late"
    return (f"  #{item.request} {item.customer} {item.tier}/{item.severity}: {item.clock} due"
            f" {readable(item.due_at)}, {hours} h {minutes:02d} min late ({how})")


def _section(title: str, lines: list[str], total: int) -> list[str]:
    out = [f"{title}: {total}"]
    out += lines[:LIST_LIMIT]
    if total > len(out) - 1:
        out.append(f"  ... and {total - (len(out) - 1)} more")
    return out


def weekly_digest(session: Session, *, week: str, now: datetime, zone: ZoneInfo) -> Digest:
    """Queue the week's digest to management, once per week (a second run queues nothing
    and says so)."""
    year, number = parse_week(week)
    week = f"{year:04d}-W{number:02d}"
    start, end = week_bounds(week, zone)
    if start > now:
        raise BadInput(f"week: {week} has not begun (now is in {week_of(now, zone)})",
                       field="week")
    week_items = reports.received_of_kinds(session, ("complaint", "claim"), start, end)
    complaints = [i for i in week_items if i.kind == "complaint"]
    claims = [i for i in week_items if i.kind == "claim"]
    still_open, open_total = _still_open(session, min(end, now))
    breaches = reports.breaches(session, start, end, now, limit=LIST_LIMIT)
    breach_total = _breach_count(session, start, end, now)
    last_day = (end - timedelta(days=1)).astimezone(zone)
    subject = (f"[capaflow] Service desk week {week}: {len(complaints)} complaint(s),"
               f" {len(claims)} claim(s), {open_total} open, {breach_total} SLA breach(es)")
    body = [
        f"Service desk digest, week {week} ({start.astimezone(zone):%a %d %b} to"
        f" {last_day:%a %d %b %Y}, {zone.key}).",
        "",
        *_section("Complaints received", [_line(i, zone) for i in complaints], len(complaints)),
        "",
        *_section("Claims received", [_line(i, zone) for i in claims], len(claims)),
        "",
        *_section("Complaints and claims still open", [_line(i, zone) for i in still_open],
                  open_total),
        "",
        *_section("SLA clocks breached (due this week)", [_breach_line(b) for b in breaches],
                  breach_total),
    ]
    key = f"service-digest:{week}"
    # The unique dedupe key is the guard against two runs at once; this read only spares
    # the second run a refused insert and says which notice it was.
    existing = session.execute(select(col(Notification.id))
                               .where(col(Notification.dedupe_key) == key)).scalar_one_or_none()
    notice_id = existing
    if existing is None:
        notice = build(Notification, dedupe_key=key, case_id=None, kind=KIND,
                       audience=["management"], subject=subject[:300], body="\n".join(body),
                       created_at=now, next_attempt_at=now)
        session.add(notice)
        session.flush()
        notice_id = notice.id
    return Digest(
        week=week, starts_at=start, ends_at=end, queued=existing is None, notice=notice_id,
        subject=subject, complaints=complaints, claims=claims, still_open=still_open,
        still_open_total=open_total, breaches=breaches, breaches_total=breach_total,
    )
