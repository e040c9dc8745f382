"""The PDCA board (/pdca): open improvement cycles in a column per phase, and those closed in
the last 30 days below.

What a card shows comes from the case's content as the engine records it
(statemachines.engine._record_content): `content["cycles"][str(n)]` holds what each step of
cycle n recorded, `target` and `plan` (execute), `result` (measure), `met` (evaluate, a bool),
`standard` (standardize) and `reason` (next_cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from capaflow.models import Case, Deadline
from capaflow.models.queries import read_closed_cases, read_next_due, read_open_cases
from capaflow.serving.context import NowDep, SessionDep
from capaflow.statemachines import PDCA
from capaflow.web.auth import StaffDep
from capaflow.web.pages.overview import LIST_LIMIT, span
from capaflow.web.render import page

router = APIRouter(tags=["pages"], include_in_schema=False)

PHASES = ("plan", "do", "check", "act")
RECENT = timedelta(days=30)
COLUMN_LIMIT = LIST_LIMIT


def cycle_content(case: Case, cycle: int | None = None) -> dict[str, Any]:
    """What the steps of one cycle (default: the current one) recorded."""
    cycles = case.content.get("cycles", {})
    found = cycles.get(str(cycle if cycle is not None else case.cycle), {})
    return found if isinstance(found, dict) else {}


@dataclass(frozen=True)
class Card:
    case: Case
    target: str | None
    result: str | None
    met: bool | None
    # The previous cycle's outcome, for a case back in plan after `next_cycle`.
    previous: dict[str, Any] | None
    due: Deadline | None
    late_by: str | None


def _card(case: Case, due: Deadline | None, now_late: str | None) -> Card:
    current = cycle_content(case)
    met = current.get("met")
    previous = cycle_content(case, case.cycle - 1) if case.cycle > 1 else None
    return Card(case=case, target=current.get("target"), result=current.get("result"),
                met=met if isinstance(met, bool) else None, previous=previous or None,
                due=due, late_by=now_late)


@dataclass(frozen=True)
class Column:
    phase: str
    title: str
    cards: list[Card]
    total: int


@router.get("/pdca")
def pdca_board(request: Request, session: SessionDep, now: NowDep,
               principal: StaffDep) -> Response:
    per_phase: dict[str, list[Case]] = {}
    totals: dict[str, int] = {}
    for phase in PHASES:
        per_phase[phase], totals[phase] = read_open_cases(
            session, lifecycle=PDCA.name, state=phase, limit=COLUMN_LIMIT)
    due = read_next_due(session, [c.id for cases in per_phase.values() for c in cases
                                  if c.id is not None])
    columns = []
    for phase in PHASES:
        cards = []
        for case in per_phase[phase]:
            next_due = due.get(case.id) if case.id is not None else None
            late = (span(now - next_due.due_at) if next_due is not None
                    and next_due.kind == "obligation" and next_due.due_at < now else None)
            cards.append(_card(case, next_due, late))
        columns.append(Column(phase, PDCA.disciplines.get(phase, phase), cards, totals[phase]))
    closed, closed_total = read_closed_cases(session, lifecycle=PDCA.name, since=now - RECENT,
                                             limit=COLUMN_LIMIT)
    return page(
        request, "pdca.html", principal=principal, now=now, columns=columns,
        open_total=sum(totals.values()),
        closed=[(c, cycle_content(c)) for c in closed], closed_total=closed_total,
        recent_days=RECENT.days,
    )
