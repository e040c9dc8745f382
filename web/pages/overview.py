"""The dashboard (/): what is open, what is late, what falls due this week.

A fixed number of statements whatever the number of cases (models.queries): the counts by one
GROUP BY, each list at most LIST_LIMIT rows with the total beside it ("and N more").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from capaflow.casework.extensions import list_extensions
from capaflow.deadlines.policy import SEVERITIES
from capaflow.models import Case, Deadline, Supplier
from capaflow.models.queries import OwedCase, open_case_counts, read_owed_cases, read_suppliers
from capaflow.notifications.notices import count_unreached
from capaflow.serving.context import NowDep, SessionDep
from capaflow.statemachines import LIFECYCLES
from capaflow.web.auth import StaffDep
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

LIST_LIMIT = 200
# "Due this week": the next owed deadline within 7 days of now (a rolling week, so Friday's
# view still shows Monday's deadlines).
DUE_SOON = timedelta(days=7)


def span(delta: timedelta) -> str:
    """A duration as a quality lead reads it: "3 d 4 h", "5 h 10 min", "12 min"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def state_label(case: Case) -> str:
    """The state in the lifecycle's own words (the 8D discipline, the PDCA phase)."""
    lifecycle = LIFECYCLES.get(case.lifecycle)
    named = lifecycle.disciplines.get(case.state) if lifecycle is not None else None
    return named or case.state.replace("_", " ")


@dataclass(frozen=True)
class OwedRow:
    case: Case
    supplier: Supplier | None
    state: str
    deadline: Deadline  # the earliest owed: what the row is about
    more: list[Deadline]  # anything else owed in the same list's window
    # How late (late list) or how long until due (due-soon list).
    distance: str


def _rows(owed: list[OwedCase], suppliers: dict[int, Supplier], now: datetime,
          late: bool) -> list[OwedRow]:
    rows = []
    for item in owed:
        first = item.owed[0]
        distance = now - first.due_at if late else first.due_at - now
        supplier = suppliers.get(item.case.supplier_id) if item.case.supplier_id else None
        rows.append(OwedRow(case=item.case, supplier=supplier, state=state_label(item.case),
                            deadline=first, more=item.owed[1:], distance=span(distance)))
    return rows


@dataclass(frozen=True)
class StateCount:
    lifecycle: str
    state: str
    label: str
    cases: int


def _by_state(counts: Counter[tuple[str, str]]) -> list[StateCount]:
    """In lifecycle order (8D, PDCA, ...), each lifecycle's states in their own order."""
    rows = []
    for name, lifecycle in LIFECYCLES.items():
        for state in lifecycle.states:
            if counts.get((name, state)):
                rows.append(StateCount(name, state, lifecycle.disciplines.get(state, state),
                                       counts[(name, state)]))
    known = {(r.lifecycle, r.state) for r in rows}
    rows += [StateCount(lc, st, st, n) for (lc, st), n in sorted(counts.items())
             if (lc, st) not in known]
    return rows


@router.get("/")
def dashboard(request: Request, session: SessionDep, now: NowDep,
              principal: StaffDep) -> Response:
    by_state: Counter[tuple[str, str]] = Counter()
    by_severity: Counter[str] = Counter()
    reopened = 0
    for lifecycle, state, severity, was_reopened, cases in open_case_counts(session):
        by_state[(lifecycle, state)] += cases
        by_severity[severity] += cases
        reopened += cases if was_reopened else 0
    owed = read_owed_cases(session, now=now, until=now + DUE_SOON, limit=LIST_LIMIT)
    suppliers = read_suppliers(session, {
        item.case.supplier_id for item in owed.late + owed.due_soon
        if item.case.supplier_id is not None
    })
    severities = list(reversed(SEVERITIES))  # critical first
    severities += sorted(s for s in by_severity if s not in SEVERITIES)
    return page(
        request, "dashboard.html", principal=principal, now=now,
        open_total=sum(by_severity.values()), reopened=reopened,
        by_state=_by_state(by_state),
        by_severity=[(s, by_severity.get(s, 0)) for s in severities],
        late=_rows(owed.late, suppliers, now, late=True), late_total=owed.late_total,
        soon=_rows(owed.due_soon, suppliers, now, late=False), soon_total=owed.due_soon_total,
        limit=LIST_LIMIT, soon_days=DUE_SOON.days,
        unreached_notices=count_unreached(session),
        extensions_waiting=list_extensions(session, status="open")[:LIST_LIMIT],
    )
