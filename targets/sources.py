"""What the monthly review lists beside the indicators, each as a list of sources the parts of
service quality add to (docs/architecture.md, "Service quality control"): the causes by the
six factors (5M1E) for the Pareto, the actions open or late, the incidents of the month.

A source is a function of (session, department, ...) like an indicator's; the review sums the
causes of all sources and concatenates the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from capaflow.config.policies import FACTORS
from capaflow.incidents.figures import causes_by_factor, incidents_in
from capaflow.models import Case, Deadline, IndicatorCycle, ServiceRequest
from capaflow.models.deadline import PENDING
from capaflow.spotchecks.figures import failed_by_factor as spotchecks_failed
from capaflow.standards.figures import failed_by_factor as inspections_failed
from capaflow.standards.figures import open_findings
from capaflow.statemachines import LIFECYCLES
from capaflow.targets.indicators import Department

# The six factors of a cause (config.policies.FACTORS) are the words of the standards, the
# audits and the incidents; the 8D root cause step names four of them in the singular ("man",
# "machine", ...), counted here under the same six.
EIGHT_D_CATEGORY = {"man": "people", "machine": "machines", "material": "materials",
                    "method": "methods", "environment": "environment",
                    "measurement": "measurement"}


@dataclass(frozen=True)
class OpenAction:
    case_id: int
    lifecycle: str
    source: str  # what opened it: a desk request's feedback, an indicator, ...
    title: str
    state: str
    owner: str | None
    next_due_at: datetime | None  # the earliest deadline still owed
    late: bool  # a deadline owed is past due


@dataclass(frozen=True)
class MonthIncident:
    reference: str
    title: str
    at: datetime
    severity: str


CauseSource = Callable[[Session, Department, datetime, datetime], Mapping[str, int]]
ActionSource = Callable[[Session, Department, datetime], Sequence[OpenAction]]
IncidentSource = Callable[[Session, Department, datetime, datetime], Sequence[MonthIncident]]

cases_table = Case.__table__  # type: ignore[attr-defined]
requests_table = ServiceRequest.__table__  # type: ignore[attr-defined]
deadlines_table = Deadline.__table__  # type: ignore[attr-defined]
cycles_table = IndicatorCycle.__table__  # type: ignore[attr-defined]
OPEN_LIFECYCLE_STATES = {name: set(lc.states) - set(lc.final) for name, lc in LIFECYCLES.items()}


def _is_open(lifecycle: str, state: str) -> bool:
    return state in OPEN_LIFECYCLE_STATES.get(lifecycle, set())


def desk_causes(session: Session, department: Department, start: datetime,
                end: datetime) -> Mapping[str, int]:
    """The root-cause factors of the corrective actions that the department's requests
    opened in [start, end): each action once, counted when its cause is recorded."""
    if not department.teams:
        return {}
    c, r = cases_table.c, requests_table.c
    query = (
        # Not DISTINCT: PostgreSQL has no equality for a JSON column; several requests may
        # share one action, so each action is counted once by its id below.
        select(c.id, c.content)
        .select_from(cases_table.join(requests_table, r.corrective_case_id == c.id))
        .where(r.team.in_(department.teams), c.opened_at >= start, c.opened_at < end)
    )
    factors: dict[int, str] = {}
    for row in session.execute(query):
        factor = EIGHT_D_CATEGORY.get(str((row.content or {}).get("category")))
        if factor is not None:
            factors[int(row.id)] = factor
    counts: dict[str, int] = {}
    for factor in factors.values():
        counts[factor] = counts.get(factor, 0) + 1
    return counts


def _next_due(session: Session, case_ids: Sequence[int]) -> dict[int, datetime]:
    if not case_ids:
        return {}
    d = deadlines_table.c
    query = (select(d.case_id, func.min(d.due_at).label("due"))
             .where(d.case_id.in_(case_ids), d.status == PENDING).group_by(d.case_id))
    return {int(row.case_id): row.due for row in session.execute(query)}


def _actions(session: Session, rows: Sequence[tuple[int, str, str, str, str | None]],
             source: str, at: datetime) -> list[OpenAction]:
    rows = [row for row in rows if _is_open(row[1], row[3])]
    due = _next_due(session, [row[0] for row in rows])
    return [OpenAction(case_id=case_id, lifecycle=lifecycle, source=source, title=title,
                       state=state, owner=owner, next_due_at=due.get(case_id),
                       late=case_id in due and due[case_id] < at)
            for case_id, lifecycle, title, state, owner in rows]


def desk_actions(session: Session, department: Department, at: datetime) -> list[OpenAction]:
    """The corrective actions the department's requests opened that are still open."""
    if not department.teams:
        return []
    c, r = cases_table.c, requests_table.c
    query = (select(c.id, c.lifecycle, c.title, c.state, c.owner).distinct()
             .select_from(cases_table.join(requests_table, r.corrective_case_id == c.id))
             .where(r.team.in_(department.teams), c.opened_at <= at).order_by(c.id))
    rows = [(int(x.id), x.lifecycle, x.title, x.state, x.owner) for x in session.execute(query)]
    return _actions(session, rows, "service feedback", at)


def indicator_actions(session: Session, department: Department,
                      at: datetime) -> list[OpenAction]:
    """The PDCA cycles the department's indicators opened that are still open."""
    c, k = cases_table.c, cycles_table.c
    query = (select(c.id, c.lifecycle, c.title, c.state, c.owner)
             .select_from(cases_table.join(cycles_table, k.case_id == c.id))
             .where(k.department == str(department), c.opened_at <= at).order_by(c.id))
    rows = [(int(x.id), x.lifecycle, x.title, x.state, x.owner) for x in session.execute(query)]
    return _actions(session, rows, "indicator", at)


def _nonzero(counts: Mapping[str, int]) -> dict[str, int]:
    return {factor: n for factor, n in counts.items() if n and factor in FACTORS}


def finding_causes(session: Session, department: Department, start: datetime,
                   end: datetime) -> Mapping[str, int]:
    """The standard items the department's inspection rounds found failed, by factor."""
    return _nonzero(inspections_failed(session, department, start, end))


def spotcheck_causes(session: Session, department: Department, start: datetime,
                     end: datetime) -> Mapping[str, int]:
    """The standard items the spot-checks of the department's people found failed."""
    return _nonzero(spotchecks_failed(session, department, start, end))


def incident_causes(session: Session, department: Department, start: datetime,
                    end: datetime) -> Mapping[str, int]:
    """The causes the department's post-incident reviews named, by factor."""
    return _nonzero(causes_by_factor(session, department, start, end))


def finding_actions(session: Session, department: Department, at: datetime) -> list[OpenAction]:
    """The inspection findings of the department whose fix is still owed."""
    return [OpenAction(case_id=f.id, lifecycle="finding", source="quality inspection",
                       title=f"{f.item_code} failed ({f.factor})", state="open",
                       owner=f.owner, next_due_at=f.due_at, late=f.late)
            for f in open_findings(session, department, at)]


def month_incidents(session: Session, department: Department, start: datetime,
                    end: datetime) -> list[MonthIncident]:
    """The incidents declared in the department in [start, end), drills left out."""
    return [MonthIncident(reference=f"incident #{i.case_id}",
                          title=f"{i.type}: {i.steps_late} of {i.steps} steps late"
                                f"{'' if i.review_done else ', review owed'}",
                          at=i.declared_at, severity=i.severity)
            for i in incidents_in(session, start, end)
            if not i.drill and i.department == str(department)]


# Every part's causes, actions and incidents, one entry each.
CAUSE_SOURCES: list[CauseSource] = [desk_causes, finding_causes, spotcheck_causes,
                                    incident_causes]
ACTION_SOURCES: list[ActionSource] = [desk_actions, indicator_actions, finding_actions]
INCIDENT_SOURCES: list[IncidentSource] = [month_incidents]
