"""The incidents' documents (docs/architecture.md, "Service quality control"): an incident
with its steps' clocks, the list, and the plans with their drill clocks. `capa incident ...
--json` prints them and /api/v1/incidents answers them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from capaflow.documents.base import Public, Timestamp
from capaflow.documents.cases import (
    DeadlinePublic,
    EventPublic,
    deadline_document,
    event_document,
)
from capaflow.incidents.drills import DrillClock
from capaflow.incidents.plans import Plans
from capaflow.incidents.response import REVIEW, IncidentView, step_key
from capaflow.models import CaseEvent, Deadline, IncidentStep
from capaflow.models.deadline import CANCELLED
from capaflow.statemachines import LIFECYCLES


class IncidentStepPublic(Public):
    """A step of the plan as the incident owes it: `status` is its deadline's (pending, met,
    cancelled); `late`: done after its due time, or still owed past it."""

    number: int
    action: str
    role: str
    due_at: Timestamp
    done_at: Timestamp | None
    done_by: str | None
    note: str | None
    status: str
    late: bool


class IncidentSummary(Public):
    id: int
    type: str
    title: str
    severity: str
    drill: bool
    department: str | None
    state: str
    owner: str | None
    declared_at: Timestamp
    declared_by: str
    closed_at: Timestamp | None
    reviewed_at: Timestamp | None
    allowed_triggers: list[str]
    steps: list[IncidentStepPublic]
    steps_late: int


class IncidentPublic(IncidentSummary):
    """`capa incident show`, GET /api/v1/incidents/{id}: the incident, its steps, the review
    owed or done, the action it opened and its trail."""

    summary: str | None
    reviewed_by: str | None
    cause: str | None
    factor: str | None
    corrective_case: int | None
    review_due_at: Timestamp | None
    deadlines: list[DeadlinePublic]
    events: list[EventPublic]


class IncidentPlanStepPublic(Public):
    number: int
    action: str
    role: str
    target_minutes: int
    from_severity: str | None
    targets_minutes: dict[str, int]


class IncidentPlanPublic(Public):
    """`capa incident plans`, GET /api/v1/incident-plans: a contingency plan, its steps, its
    last drill and when the next is due (None: never drilled, due now)."""

    type: str
    title: str
    department: str | None
    severities: list[str]
    on_call: list[str]
    drill_every: str
    review_within: str
    steps: list[IncidentPlanStepPublic]
    last_drill: Timestamp | None
    next_drill_due: Timestamp | None
    drill_due: bool


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _step(step: IncidentStep, deadline: Deadline | None, now: datetime,
          closed_at: datetime | None) -> IncidentStepPublic:
    status = deadline.status if deadline is not None else CANCELLED
    if step.done_at is not None:
        late = step.done_at > step.due_at
        status = "met"
    else:
        # Not done: late once its due time passed while the response ran (a step still
        # owed when the incident closed was late if it was due before the close).
        late = (closed_at if closed_at is not None and closed_at < now else now) > step.due_at
    return IncidentStepPublic(
        number=step.number, action=step.action, role=step.role, due_at=step.due_at,
        done_at=step.done_at, done_by=step.done_by, note=step.note, status=status, late=late)


def _deadlines(session: Session, case_ids: list[int]) -> dict[int, list[Deadline]]:
    found: dict[int, list[Deadline]] = {i: [] for i in case_ids}
    if case_ids:
        for d in session.exec(select(Deadline).where(col(Deadline.case_id).in_(case_ids))
                              .order_by(col(Deadline.due_at), col(Deadline.id))):
            found[d.case_id].append(d)
    return found


def _summary_fields(view: IncidentView, deadlines: list[Deadline], now: datetime) -> dict[
        str, object]:
    by_key = {d.key: d for d in deadlines}
    steps = [_step(s, by_key.get(step_key(s.number)), now, view.incident.closed_at)
             for s in view.steps]
    case, incident = view.case, view.incident
    return {
        "id": incident.case_id, "type": incident.type, "title": case.title,
        "severity": incident.severity, "drill": incident.drill,
        "department": incident.department, "state": case.state, "owner": case.owner,
        "declared_at": incident.declared_at, "declared_by": incident.declared_by,
        "closed_at": incident.closed_at, "reviewed_at": incident.reviewed_at,
        "allowed_triggers": list(LIFECYCLES["incident"].allowed(case.state)),
        "steps": steps, "steps_late": sum(1 for s in steps if s.late),
    }


def incident_summaries(session: Session, views: list[IncidentView],
                       now: datetime) -> list[IncidentSummary]:
    deadlines = _deadlines(session, [v.incident.case_id for v in views])
    return [IncidentSummary.model_validate(_summary_fields(v, deadlines[v.incident.case_id],
                                                           now)) for v in views]


def incident_document(session: Session, view: IncidentView, now: datetime) -> IncidentPublic:
    case_id = view.incident.case_id
    deadlines = _deadlines(session, [case_id])[case_id]
    review = next((d for d in deadlines if d.key == REVIEW), None)
    incident = view.incident
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                          .order_by(col(CaseEvent.seq)))
    return IncidentPublic.model_validate({
        **_summary_fields(view, deadlines, now),
        "summary": incident.summary, "reviewed_by": incident.reviewed_by,
        "cause": incident.cause, "factor": incident.factor,
        "corrective_case": incident.corrective_case_id,
        "review_due_at": review.due_at if review is not None else None,
        "deadlines": [deadline_document(d, now) for d in deadlines],
        "events": [event_document(e) for e in events],
    })


def plan_documents(plans: Plans, clocks: list[DrillClock]) -> list[IncidentPlanPublic]:
    by_code = {c.plan.code: c for c in clocks}
    documents = []
    for code, plan in plans.plans.items():
        clock = by_code.get(code)
        documents.append(IncidentPlanPublic(
            type=code, title=plan.title, department=plan.department,
            severities=list(plan.severities), on_call=list(plan.on_call),
            drill_every=str(plan.drill_every), review_within=str(plan.review_within),
            steps=[IncidentPlanStepPublic(
                number=n, action=s.action, role=s.role, target_minutes=_minutes(s.target),
                from_severity=s.from_severity,
                targets_minutes={k: _minutes(v) for k, v in s.targets.items()})
                for n, s in enumerate(plan.section.steps, start=1)],
            last_drill=clock.last_drill if clock else None,
            next_drill_due=clock.next_due if clock else None,
            drill_due=clock.due if clock else True,
        ))
    return documents


class DrillsPublic(Public):
    """`capa incident drills`: the plans reminded now (once per period) and every plan whose
    drill is due."""

    reminded: list[str]
    due: list[IncidentPlanPublic]
