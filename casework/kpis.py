"""The KPIs of the 8D work itself (`capa kpi report`, GET /api/v1/kpis, the /kpis page): how
long each discipline takes, how often each supplier meets its deadlines, how old the open
cases are.

Read from what the engine already writes (docs/architecture.md, "Rows, not timers"): the
case events of the audit chain say when a case entered and left each discipline, the deadline
rows say whether each one was met on time, met late or is still owed past due. Nothing is
stored; the figures are computed for the window asked.

- Cycle time per discipline: every stay of an 8D case in a discipline that ended inside the
  window is one sample, in days (a reopened case's second containment is a second sample).
  A stay ended by cancelling the case is no sample: the discipline was never finished. The
  median is the middle sample (the mean of the two middle ones for an even count); the
  90th percentile is the nearest-rank one: the ⌈0.9 n⌉-th smallest sample.
- On-time share per supplier: the 8D obligations due inside the window, not cancelled, of
  cases not cancelled: met on time, met late, or missed (still owed past due at the window's
  end or now, whichever comes first). Those due but not yet past due are not counted.
- Ageing: the 8D cases open at `now`, by days since opening: 0–7, 8–30, 31–90, over 90.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlmodel import Session

from capaflow.calendars.clock import FIRST_YEAR, LAST_YEAR, parse_instant
from capaflow.errors import BadInput
from capaflow.models import Case, CaseEvent, Deadline, Supplier

_cases: Table = Case.__table__  # type: ignore[attr-defined]
_events: Table = CaseEvent.__table__  # type: ignore[attr-defined]
_deadlines: Table = Deadline.__table__  # type: ignore[attr-defined]
_suppliers: Table = Supplier.__table__  # type: ignore[attr-defined]

LIFECYCLE = "8d"
# The 8D disciplines whose time is measured, as the lifecycle names their states, and their
# titles in the quality lead's words (D3 to D8).
DISCIPLINES = (
    ("containment", "Containment (D3)"),
    ("root_cause", "Root cause (D4)"),
    ("short_term_fix", "Short-term fix (D5)"),
    ("long_term_countermeasure", "Long-term countermeasure (D6)"),
    ("effectiveness_tracking", "Verification of effectiveness (D7)"),
)
_MEASURED = {state for state, _ in DISCIPLINES}
# Ageing buckets: (label, the oldest age in whole days the bucket holds; None: no limit).
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0–7 days", 7), ("8–30 days", 30), ("31–90 days", 90), ("over 90 days", None))
_CLOSED = ("closed", "cancelled")
_DAY = timedelta(days=1)
# The default window: the last 365 days up to now.
DEFAULT_SPAN = timedelta(days=365)


@dataclass(frozen=True)
class DisciplineTime:
    discipline: str
    title: str
    samples: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class SupplierOnTime:
    supplier: str
    name: str
    on_time: int
    late: int
    missed: int

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


@dataclass(frozen=True)
class AgeBucket:
    label: str
    min_days: int
    max_days: int | None
    open_cases: int


@dataclass(frozen=True)
class KpiReport:
    start: datetime
    end: datetime
    now: datetime
    cycle_times: list[DisciplineTime]
    on_time: list[SupplierOnTime]
    ageing: list[AgeBucket]


def median(samples: Sequence[float]) -> float | None:
    return statistics.median(samples) if samples else None


def percentile_90(samples: Sequence[float]) -> float | None:
    """Nearest rank: the ⌈0.9 n⌉-th smallest (of 10 samples the 9th, of 3 the 3rd)."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def check_window(start: datetime | None, end: datetime | None,
                 now: datetime) -> tuple[datetime, datetime]:
    """[start, end): by default the 365 days up to now; BadInput naming the field when the
    window is empty or reversed."""
    end = end or now
    start = start or end - DEFAULT_SPAN
    if start >= end:
        raise BadInput(f"from: must be before to ({start.isoformat()} is not before "
                       f"{end.isoformat()})", field="from")
    return start, end


def _cycle_times(session: Session, start: datetime, end: datetime) -> list[DisciplineTime]:
    query = (
        select(_events.c.case_id, _events.c.at, _events.c.from_state, _events.c.to_state)
        .select_from(_events.join(_cases, _cases.c.id == _events.c.case_id))
        .where(_cases.c.lifecycle == LIFECYCLE, _events.c.at < end)
        .order_by(_events.c.case_id, _events.c.seq)
    )
    samples: dict[str, list[float]] = {state: [] for state in _MEASURED}
    entered: dict[int, tuple[str, datetime]] = {}
    for case_id, at, from_state, to_state in session.connection().execute(query):
        if from_state == to_state:
            continue  # a note or an edit: the case stays where it is
        stay = entered.get(case_id)
        # A cancelled case did not finish its discipline: its last stay is no cycle time.
        if (stay is not None and stay[0] in _MEASURED and start <= at
                and to_state != "cancelled"):
            samples[stay[0]].append((at - stay[1]) / _DAY)
        entered[case_id] = (to_state, at)
    return [
        DisciplineTime(discipline=state, title=title, samples=len(samples[state]),
                       median_days=median(samples[state]),
                       p90_days=percentile_90(samples[state]))
        for state, title in DISCIPLINES
    ]


def _on_time(session: Session, start: datetime, end: datetime,
             now: datetime) -> list[SupplierOnTime]:
    cutoff = min(end, now)
    query = (
        select(_suppliers.c.code, _suppliers.c.name, _deadlines.c.status,
               _deadlines.c.met_on_time, _deadlines.c.due_at)
        .select_from(_deadlines.join(_cases, _cases.c.id == _deadlines.c.case_id)
                     .join(_suppliers, _suppliers.c.id == _cases.c.supplier_id))
        .where(_cases.c.lifecycle == LIFECYCLE, _cases.c.state != "cancelled",
               _deadlines.c.kind == "obligation", _deadlines.c.status != "cancelled",
               _deadlines.c.due_at >= start, _deadlines.c.due_at < end)
    )
    counts: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for code, name, status, met_on_time, due_at in session.connection().execute(query):
        names[code] = name
        row = counts.setdefault(code, [0, 0, 0])
        if status == "met":
            row[0 if met_on_time else 1] += 1
        elif due_at < cutoff:
            row[2] += 1
    return [SupplierOnTime(supplier=code, name=names[code], on_time=c[0], late=c[1],
                           missed=c[2])
            for code, c in sorted(counts.items()) if sum(c)]


def _ageing(session: Session, now: datetime) -> list[AgeBucket]:
    query = select(_cases.c.opened_at).where(
        _cases.c.lifecycle == LIFECYCLE, _cases.c.state.not_in(_CLOSED),
        _cases.c.opened_at <= now)
    counts = [0] * len(AGE_BUCKETS)
    for (opened_at,) in session.connection().execute(query):
        days = int((now - opened_at) // _DAY)
        for k, (_label, top) in enumerate(AGE_BUCKETS):
            if top is None or days <= top:
                counts[k] += 1
                break
    buckets = []
    low = 0
    for (label, top), count in zip(AGE_BUCKETS, counts, strict=True):
        buckets.append(AgeBucket(label=label, min_days=low, max_days=top, open_cases=count))
        low = (top or 0) + 1
    return buckets


def _bound(text: str | None, *, field: str, zone: ZoneInfo, inclusive: bool) -> datetime | None:
    """A day (YYYY-MM-DD, the site's calendar day: `to` includes it) or an ISO-8601 instant
    with offset; BadInput naming `field` for anything else."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadInput(f"{field}: {text!r} is not a day (YYYY-MM-DD) or an ISO-8601 time "
                           "with offset", field=field) from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise BadInput(f"{field}: {text!r} is outside {FIRST_YEAR}-{LAST_YEAR}",
                           field=field)
        start = datetime.combine(day, time(0), tzinfo=zone)
        return (start + _DAY if inclusive else start).astimezone(UTC)
    try:
        return parse_instant(text, field=field)
    except ValueError as problem:
        raise BadInput(str(problem), field=field) from None


def parse_window(from_text: str | None, to_text: str | None, *, now: datetime,
                 zone: ZoneInfo) -> tuple[datetime, datetime]:
    """`--from` / `--to` (or the API's and the page's `from` and `to`) as [start, end)."""
    return check_window(_bound(from_text, field="from", zone=zone, inclusive=False),
                        _bound(to_text, field="to", zone=zone, inclusive=True), now)


def kpi_report(session: Session, *, start: datetime | None, end: datetime | None,
               now: datetime) -> KpiReport:
    """The 8D KPIs for the window [start, end) (default: the 365 days up to now), ageing at
    `now`."""
    start, end = check_window(start, end, now)
    return KpiReport(start=start, end=end, now=now,
                     cycle_times=_cycle_times(session, start, end),
                     on_time=_on_time(session, start, end, now),
                     ageing=_ageing(session, now))
