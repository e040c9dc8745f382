"""An incident from declaration to review, through the engine (docs/architecture.md,
"Service quality control").

Each function runs in the caller's transaction and refuses (errors) before anything is
written: the case, its opening event, the incident's row and steps, a deadline per step, the
on-call notice, and later the close, the review deadline and the review land together or not
at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from capaflow.calendars import isoformat, readable
from capaflow.casework.engine import advance, get_case, open_case, record_fact, start_case
from capaflow.config.policies import FACTORS
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import cancel_obligations, meet_obligation, start_obligation
from capaflow.errors import BadInput, Conflict, NotFound, check_id, check_text
from capaflow.incidents.plans import Plan, Plans
from capaflow.models import Case, Incident, IncidentStep, Notification
from capaflow.models.db import build, insert_rows

# The deadline of step n of an incident's plan, and of its post-incident review.
STEP_KEY_PREFIX = "step:"
REVIEW = "review"
# The fact a step done writes into the incident's trail (not a step of the lifecycle:
# steps are parallel duties, done in any order).
STEP_DONE = "step_done"
# What a review may open to fix the cause: an 8D case (without supplier) or a PDCA cycle.
FOLLOW_UPS = {"8d": "8d", "pdca": "pdca"}


def step_key(number: int) -> str:
    return f"{STEP_KEY_PREFIX}{number}"


@dataclass
class IncidentView:
    """An incident as it stands: its case, its row and its steps in plan order."""

    case: Case
    incident: Incident
    steps: list[IncidentStep]


def get_incident(session: Session, case_id: int) -> IncidentView:
    incident = session.get(Incident, check_id("incident", case_id))
    if incident is None:
        raise NotFound(f"incident {case_id} does not exist", field="incident")
    steps = list(session.exec(select(IncidentStep).where(IncidentStep.case_id == case_id)
                              .order_by(col(IncidentStep.number))))
    return IncidentView(case=get_case(session, case_id), incident=incident, steps=steps)


def _check_department(policies_departments: tuple[str, ...], department: str | None,
                      plan: Plan) -> str | None:
    if department is None or not department.strip():
        return plan.department
    value = department.strip()
    if value not in policies_departments:
        raise BadInput(f"department: '{department}' is not a department "
                       f"({', '.join(policies_departments) or 'none configured'})",
                       field="department")
    return value


def declare(
    session: Session,
    *,
    plans: Plans,
    departments: tuple[str, ...],
    policy: DeadlinePolicy,
    type: str,
    severity: str,
    title: str | None,
    department: str | None,
    drill: bool,
    actor: str,
    now: datetime,
) -> IncidentView:
    """Declare an incident (or record a drill) under its type's plan: the on-call roles are
    told at once (a notice due now, which the next dispatch sends), and each step of the plan
    at this severity is owed by its role within its target of now. The declarer owns it."""
    plan = plans.plan(type)
    level = plans.severity(plan, severity)
    where = _check_department(departments, department, plan)
    shown = check_text("title", title, limit=300) or plan.title
    if drill:
        shown = f"Drill: {shown}"[:300]
    owner = check_text("by", actor, required=True, limit=100)
    case = Case(
        lifecycle="incident", state="responding", title=shown, severity=level, owner=owner,
        content={"type": plan.code, "drill": drill}, opened_at=now, updated_at=now,
    )
    opened = start_case(
        session, case=case, supplier=None, actor=actor, now=now, policy=policy,
        opened_with={"title": shown, "type": plan.code, "severity": level, "drill": drill,
                     "department": where, "owner": owner},
    )
    assert case.id is not None
    incident = Incident(case_id=case.id, type=plan.code, severity=level, drill=drill,
                        department=where, declared_at=now, declared_by=owner)
    session.add(incident)
    session.flush()
    steps = []
    for spec in plan.steps_at(level, plans.severities):
        due = now + spec.target
        steps.append(IncidentStep(case_id=case.id, number=spec.number, action=spec.action,
                                  role=spec.role, due_at=due))
        start_obligation(
            session, case=case, key=step_key(spec.number),
            title=f"Step {spec.number} ({spec.role}): {spec.action}", started_by="open",
            started_seq=opened.event.seq, due_at=due, now=now, policy=policy,
        )
    session.add_all(steps)
    session.flush()
    insert_rows(session, [_on_call_notice(case, incident, plan, steps, now)], with_ids=False)
    return IncidentView(case=get_case(session, case.id), incident=incident, steps=steps)


def _on_call_notice(case: Case, incident: Incident, plan: Plan, steps: list[IncidentStep],
                    now: datetime) -> Notification:
    # The on-call roles and every role a step names: each must know at once what it owes.
    audience = list(dict.fromkeys([*plan.on_call, *(s.role for s in steps)]))
    what = "Drill" if incident.drill else "Incident"
    lines = [
        f"{what} #{case.id} declared at {readable(now)} by {incident.declared_by}: "
        f"{plan.title}, severity {incident.severity}"
        + (f", department {incident.department}" if incident.department else ""),
        "The contingency plan's steps:",
        *(f"  {s.number}. {s.action} — {s.role}, due {readable(s.due_at)}" for s in steps),
    ]
    return build(
        Notification, dedupe_key=f"incident:{case.id}:on_call", case_id=case.id,
        kind="incident", audience=audience,
        subject=f"[capaflow] {what} #{case.id} ({incident.severity}): {case.title}"[:300],
        body="\n".join(lines), created_at=now, next_attempt_at=now,
    )


def _stored(session: Session, view: IncidentView) -> IncidentView:
    """The incident as the step left it: the engine and the updates above wrote past the
    objects this session loaded before, so they are read again."""
    session.flush()
    session.expire_all()
    return get_incident(session, view.incident.case_id)


def step_done(
    session: Session, *, policy: DeadlinePolicy, case_id: int, number: int, note: str | None,
    actor: str, now: datetime,
) -> IncidentView:
    """Step `number` of the plan is done: its deadline is met (on time or late), in any order;
    done twice is a conflict."""
    view = get_incident(session, case_id)
    if view.case.state != "responding":
        raise Conflict(f"incident {case_id} is {view.case.state}: its steps are no longer "
                       "worked", field="step")
    numbers = [s.number for s in view.steps]
    found = next((s for s in view.steps if s.number == number), None)
    if found is None:
        raise BadInput(f"step: incident {case_id} has no step {number} (its steps: "
                       f"{', '.join(map(str, numbers))})", field="step")
    if found.done_at is not None:
        raise Conflict(f"step {number} of incident {case_id} was done at "
                       f"{isoformat(found.done_at)} by {found.done_by}", field="step")
    text = check_text("note", note, limit=2000)
    by = check_text("by", actor, required=True, limit=100)
    fact = record_fact(
        session, case_id=case_id, action=STEP_DONE,
        fields={"step": number, "action": found.action, "late": now > found.due_at},
        note=text, actor=by, now=now, policy=policy, tell_owner=False,
    )
    meet_obligation(session, case_id=case_id, key=step_key(number), seq=fact.event.seq,
                    now=now)
    session.execute(update(IncidentStep).where(col(IncidentStep.id) == found.id)
                    .values(done_at=now, done_by=by, note=text))
    return _stored(session, view)


def close(
    session: Session, *, plans: Plans, policy: DeadlinePolicy, case_id: int, summary: str,
    actor: str, now: datetime,
) -> IncidentView:
    """End the response: what is still owed of the steps is cancelled (said in the trail by
    the close), and the post-incident review is owed within the plan's review_within."""
    view = get_incident(session, case_id)
    text = check_text("summary", summary, required=True, limit=4000)
    plan = plans.plans.get(view.incident.type)
    step = advance(session, case_id=case_id, trigger="close", fields={"summary": text},
                   note=None, actor=actor, now=now, policy=policy, stepping_service=True)
    open_steps = tuple(step_key(s.number) for s in view.steps if s.done_at is None)
    if open_steps:
        cancel_obligations(session, case_id=case_id, keys=open_steps, seq=step.event.seq,
                           now=now)
    review_within = plan.review_within if plan is not None else plans.section.review_within
    due = plans.calendar.add(now, review_within)
    start_obligation(session, case=step.case, key=REVIEW, title="Post-incident review",
                     started_by="close", started_seq=step.event.seq, due_at=due, now=now,
                     policy=policy, met_by=("review",))
    session.execute(update(Incident).where(col(Incident.case_id) == case_id)
                    .values(closed_at=now, summary=text))
    return _stored(session, view)


def review(
    session: Session, *, policy: DeadlinePolicy, case_id: int, cause: str, factor: str,
    open_action: Literal["8d", "pdca"] | str | None, actor: str, now: datetime,
) -> IncidentView:
    """The post-incident review: the cause and its factor (5M1E); `open_action` opens an 8D
    case (without supplier) or a PDCA cycle for it, linked both ways. An incident is reviewed
    once (a second review is a conflict), so it opens at most one."""
    view = get_incident(session, case_id)
    cause_text = check_text("cause", cause, required=True, limit=4000)
    if factor not in FACTORS:
        raise BadInput(f"factor: '{factor}' is not one of {', '.join(FACTORS)}",
                       field="factor")
    if open_action is not None and open_action not in FOLLOW_UPS:
        raise BadInput(f"open: '{open_action}' is not one of {', '.join(FOLLOW_UPS)}",
                       field="open")
    by = check_text("by", actor, required=True, limit=100)
    fields = {"cause": cause_text, "factor": factor}
    if open_action is not None:
        fields["action"] = open_action
    step = advance(session, case_id=case_id, trigger="review", fields=fields, note=None,
                   actor=by, now=now, policy=policy, stepping_service=True)
    corrective: int | None = None
    if open_action is not None:
        severity = {0: "critical", 1: "major"}.get(_rank(view.incident.severity), "minor")
        opened = open_case(
            session, lifecycle=FOLLOW_UPS[open_action],
            title=f"Incident #{case_id}: {view.case.title}"[:300], supplier_code=None,
            part=None, defect_code=None, severity=severity, complex_cause=False, owner=by,
            team=None, problem=f"{factor}: {cause_text}", actor=by, now=now, policy=policy,
            linked_case_id=case_id,
        )
        corrective = opened.case.id
        record_fact(session, case_id=case_id, action="corrective_action",
                    fields={"corrective_case": corrective, "lifecycle": open_action},
                    note=None, actor=by, now=now, policy=policy, tell_owner=False)
    session.execute(update(Incident).where(col(Incident.case_id) == case_id).values(
        reviewed_at=now, reviewed_by=by, cause=cause_text, factor=factor,
        corrective_case_id=corrective))
    del step
    return _stored(session, view)


def cancel(
    session: Session, *, policy: DeadlinePolicy, case_id: int, reason: str, actor: str,
    now: datetime,
) -> IncidentView:
    """Declared in error: the incident is cancelled and everything it owed with it."""
    view = get_incident(session, case_id)
    text = check_text("reason", reason, required=True, limit=2000)
    advance(session, case_id=case_id, trigger="cancel", fields={"reason": text}, note=None,
            actor=actor, now=now, policy=policy, stepping_service=True)
    session.execute(update(Incident).where(col(Incident.case_id) == case_id)
                    .values(closed_at=now, summary=f"Cancelled: {text}"[:4000]))
    return _stored(session, view)


def _rank(severity: str) -> int:
    # S1 → 0: the most severe; a site's own names rank by their digits when they have them.
    digits = "".join(ch for ch in severity if ch.isdigit())
    return int(digits) - 1 if digits else 2


def list_incidents(
    session: Session, *, open_only: bool = False, drills: bool | None = None,
    limit: int = 500,
) -> list[IncidentView]:
    """Incidents, open ones first (responding, then closed awaiting review), newest first."""
    query = select(Incident, Case).join(Case, col(Case.id) == col(Incident.case_id))
    if open_only:
        query = query.where(col(Case.state).in_(("responding", "closed")))
    if drills is not None:
        query = query.where(col(Incident.drill) == drills)
    rows = list(session.exec(query.order_by(col(Incident.declared_at).desc()).limit(limit)))
    ids = [i.case_id for i, _ in rows]
    steps: dict[int, list[IncidentStep]] = {i: [] for i in ids}
    if ids:
        for s in session.exec(select(IncidentStep).where(col(IncidentStep.case_id).in_(ids))
                              .order_by(col(IncidentStep.number))):
            steps[s.case_id].append(s)
    order = {"responding": 0, "closed": 1}
    views = [IncidentView(case=c, incident=i, steps=steps[i.case_id]) for i, c in rows]
    return sorted(views, key=lambda v: order.get(v.case.state, 2))
