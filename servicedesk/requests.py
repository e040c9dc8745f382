"""A service request from intake to closure, through the engine (docs/architecture.md,
"Service desk").

Each function runs in the caller's transaction and raises one of the refusals of `errors`
before anything is written: what the engine writes (state, audit event, deadlines, notice)
and what only a request has (its row in `service_requests`, its SLA clocks) land together or
not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from capaflow.calendars import isoformat
from capaflow.casework.engine import Amendment, StepResult, advance, get_case, start_case
from capaflow.deadlines import clocks
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import start_obligation
from capaflow.errors import BadInput, NotFound, check_id, check_text
from capaflow.models import Case, Customer, Deadline, FollowUp, Notification, ServiceRequest
from capaflow.models.db import build, insert_rows
from capaflow.servicedesk.dispatch import Decision, choose, team_lead
from capaflow.servicedesk.feedback import act_on_claim, count_complaint
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.register import absent_at, get_customer, get_person, list_people
from capaflow.servicedesk.survey import issue_survey

# The SLA clocks of a request and the steps that meet each.
SLA_CLOCKS = {
    "first_response": ("First response to the customer", ("acknowledge", "resolve")),
    "resolution": ("Resolution", ("resolve",)),
}
# The windows after resolve: the survey's answer, or the wait before an unsampled request
# closes (statemachines.service, SERVICE.timed_close, says what each close records).
FOLLOW_UP = "follow_up"
CLOSE_AFTER = "close_after"


@dataclass
class RequestStep:
    """What a service step did: the engine's step(s), and the request as it now stands."""

    request: ServiceRequest
    case: Case
    steps: list[StepResult]


def get_request(session: Session, case_id: int) -> tuple[Case, ServiceRequest]:
    # Ids are database integers: a number outside them is not a request, refused as bad input
    # before it reaches the database (which would fail on it).
    request = session.get(ServiceRequest, check_id("request", case_id))
    if request is None:
        raise NotFound(f"service request {case_id} does not exist", field="request")
    return get_case(session, case_id), request


def _available_person(session: Session, name: str, team: str | None, now: datetime) -> str:
    person = get_person(session, name, field="assignee")
    if person.id in absent_at(session, [person.id] if person.id else [], now):
        raise BadInput(f"assignee: {name} is absent at {isoformat(now)}; choose someone "
                       "available", field="assignee")
    if team is not None and person.team != team:
        # Allowed (a manager may pull someone in), but said in the trail by the caller.
        return f"{name} (team {person.team}, outside team {team})"
    return name


def _start_clocks(
    session: Session, desk: ServiceDesk, policy: DeadlinePolicy, *, case: Case,
    request: ServiceRequest, keys: tuple[str, ...], step: str, seq: int, now: datetime,
) -> list[Deadline]:
    hours = desk.hours_of(request.tier)
    targets = desk.targets(request.tier, request.severity)
    started = []
    for key in keys:
        title, met_by = SLA_CLOCKS[key]
        started.append(start_obligation(
            session, case=case, key=key, title=f"{title} ({request.tier} tier)",
            started_by=step, started_seq=seq, due_at=hours.add(now, targets[key]), now=now,
            policy=policy, met_by=met_by,
        ))
    return started


def _notice(case: Case, key: str, kind: str, audience: list[str], subject: str,
            lines: list[str], now: datetime) -> Notification:
    return build(
        Notification, dedupe_key=f"service:{case.id}:{key}", case_id=case.id, kind=kind,
        audience=audience, subject=f"[capaflow] {subject}"[:300], body="\n".join(lines),
        created_at=now, next_attempt_at=now,
    )


def open_request(
    session: Session,
    *,
    desk: ServiceDesk,
    policy: DeadlinePolicy,
    customer: str,
    kind: str,
    severity: str,
    category: str,
    channel: str,
    title: str,
    description: str | None,
    assignee: str | None,
    actor: str,
    now: datetime,
) -> RequestStep:
    """Take a request in: checked, stored with its SLA clocks, and dispatched (to `assignee`
    if given, else by the rules). A claim is at least `claim_min_severity` and management is
    told at once."""
    found = get_customer(session, customer)
    kind = desk.check_kind(kind)
    severity = desk.check_severity(severity)
    category = desk.check_category(category)
    channel = desk.check_channel(channel)
    title_text = check_text("title", title, required=True, limit=300)
    description_text = check_text("description", description, limit=20_000)
    raised_from = None
    minimum = desk.section.claim_min_severity
    if kind == "claim" and desk.rank(severity) > desk.rank(minimum):
        raised_from, severity = severity, minimum
    spec = desk.section.categories[category]
    if assignee is not None:
        _available_person(session, assignee, spec.team, now)
    case = Case(
        lifecycle="service", state="received", title=title_text, severity=severity,
        content={"description": description_text} if description_text else {},
        opened_at=now, updated_at=now,
    )
    opened_with: dict[str, Any] = {
        "title": title_text, "customer": found.code, "tier": found.tier, "kind": kind,
        "severity": severity, "category": category, "channel": channel,
    }
    if description_text:
        opened_with["description"] = description_text
    if raised_from is not None:
        opened_with["severity_raised_from"] = raised_from
    opened = start_case(session, case=case, opened_with=opened_with, supplier=None,
                        actor=actor, now=now, policy=policy)
    assert case.id is not None and found.id is not None
    request = ServiceRequest(
        case_id=case.id, customer_id=found.id, tier=found.tier, kind=kind, severity=severity,
        category=category, team=spec.team, channel=channel, received_at=now,
    )
    session.add(request)
    session.flush()
    _start_clocks(session, desk, policy, case=case, request=request,
                  keys=tuple(SLA_CLOCKS), step="open", seq=opened.event.seq, now=now)
    if kind == "claim":
        insert_rows(session, [_claim_notice(case, found, request, raised_from, now)],
                    with_ids=False)
    steps = [opened]
    if assignee is not None:
        decision = Decision(team=spec.team, assignee=assignee,
                            lead=team_lead(list_people(session, spec.team)),
                            why=f"assigned at intake by {actor}")
    else:
        decision = choose(session, desk, category=category, tier=found.tier, now=now)
    steps.extend(_dispatch(session, policy, case=case, request=request,
                           decision=decision, actor=actor, now=now))
    # From feedback to improvement, in the intake's transaction (docs/architecture.md,
    # "Service desk"): a claim opens its corrective action at once; a complaint counts
    # towards its category's month. Each says so in the request's trail.
    improvement = None
    if kind == "claim":
        improvement = act_on_claim(session, desk=desk, policy=policy, case_id=case.id,
                                   actor=actor, now=now)
    elif kind == "complaint":
        improvement = count_complaint(session, desk=desk, policy=policy, case_id=case.id,
                                      actor=actor, now=now)
    current = get_case(session, case.id) if improvement is not None else steps[-1].case
    return RequestStep(request=request, case=current, steps=steps)


def _claim_notice(case: Case, customer: Customer, request: ServiceRequest,
                  raised_from: str | None, now: datetime) -> Notification:
    lines = [
        f"Service request #{case.id}: {case.title}",
        f"Customer {customer.code} ({customer.name}), tier {request.tier}",
        f"A claim for compensation, severity {request.severity}"
        + (f" (raised from {raised_from}: a claim is at least that)" if raised_from else ""),
        "A claim is a matter for management: it is reported to you at once.",
    ]
    return _notice(case, "claim", "claim", ["management", "service_manager"],
                   f"Claim #{case.id} from {customer.code}: {case.title}", lines, now)


def _dispatch(
    session: Session, policy: DeadlinePolicy, *, case: Case, request: ServiceRequest,
    decision: Decision, actor: str, now: datetime,
) -> list[StepResult]:
    assert case.id is not None
    request.dispatch_flag = decision.flag
    session.execute(update(ServiceRequest).where(col(ServiceRequest.case_id) == case.id)
                    .values(dispatch_flag=decision.flag))
    if decision.assignee is None:
        # Nobody to take it: it stays received, flagged, and the service manager is told.
        session.add(_notice(case, "undispatched", "undispatched", ["service_manager"],
                            f"Request #{case.id} could not be dispatched: {case.title}",
                            [f"Service request #{case.id}: {case.title}", decision.why], now))
        session.flush()
        return []
    fields = {"assignee": decision.assignee, "reason": decision.why}
    step = advance(
        session, case_id=case.id, trigger="dispatch", fields=fields, note=None, actor=actor,
        now=now, policy=policy, stepping_service=True,
        amend=Amendment(owner=decision.assignee, content={"team_lead": decision.lead or ""}),
    )
    return [step]


def _reopen_facts(
    desk: ServiceDesk, policy: DeadlinePolicy, case: Case, now: datetime
) -> dict[str, Any]:
    if case.state != "closed" or case.closed_at is None:
        return {}
    # Calendar time after closure: "14d" is two weeks, whatever the desk's hours.
    until = policy.calendar.add(case.closed_at, desk.section.reopen_window)
    return {"within_reopen_window": now <= until, "closed_at": isoformat(case.closed_at),
            "reopen_until": isoformat(until)}


def drawn_for_follow_up(case_id: int, rate: float) -> bool:
    """Whether a resolved request's customer gets the survey: a fixed draw per request, so
    the same request always draws the same way (a key tier's rate of 1.0 draws every one)."""
    if rate >= 1.0:
        return True
    digest = hashlib.sha256(f"follow-up:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def _check_step_fields(
    session: Session, desk: ServiceDesk, case: Case, request: ServiceRequest, trigger: str,
    fields: Mapping[str, str], now: datetime,
) -> None:
    """What only the desk can check about a step's fields, before anything is written."""
    if trigger == "dispatch":
        name = (fields.get("assignee") or "").strip()
        if name:
            _available_person(session, name, request.team, now)
        if case.state != "received" and not (fields.get("reason") or "").strip():
            raise BadInput("reason: a re-dispatch needs the reason it moves", field="reason")
    elif trigger == "escalate":
        severity = desk.check_severity((fields.get("severity") or "").strip())
        if desk.rank(severity) >= desk.rank(request.severity):
            raise BadInput(f"severity: escalating raises the severity; {severity} is not "
                           f"more severe than {request.severity}", field="severity")


def advance_request(
    session: Session,
    *,
    desk: ServiceDesk,
    policy: DeadlinePolicy,
    case_id: int,
    trigger: str,
    fields: Mapping[str, str],
    note: str | None,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
    signature: Mapping[str, Any] | None = None,
    require_signature: bool = False,
) -> RequestStep:
    """One step of a request, with what the desk adds to it: the assignee's availability, a
    stricter severity, the clocks stopped, restarted, retargeted or started again."""
    case, request = get_request(session, case_id)
    _check_step_fields(session, desk, case, request, trigger, fields, now)
    amend = None
    if trigger == "dispatch":
        name = (fields.get("assignee") or "").strip()
        lead = team_lead(list_people(session, request.team))
        amend = Amendment(owner=name or None, content={"team_lead": lead or ""})
    elif trigger == "escalate":
        amend = Amendment(severity=(fields.get("severity") or "").strip())
    step = advance(
        session, case_id=case_id, trigger=trigger, fields=fields, note=note, actor=actor,
        now=now, policy=policy, expected_version=expected_version, signature=signature,
        require_signature=require_signature, facts=_reopen_facts(desk, policy, case, now),
        amend=amend, stepping_service=True,
    )
    steps = [step]
    steps.extend(_after_step(session, desk, policy, request=request, step=step,
                             actor=actor, now=now))
    return RequestStep(request=request, case=steps[-1].case, steps=steps)


def _set(session: Session, request: ServiceRequest, **values: Any) -> None:
    for name, value in values.items():
        setattr(request, name, value)
    session.execute(update(ServiceRequest)
                    .where(col(ServiceRequest.case_id) == request.case_id).values(**values))


def _after_step(
    session: Session, desk: ServiceDesk, policy: DeadlinePolicy, *, request: ServiceRequest,
    step: StepResult, actor: str, now: datetime,
) -> list[StepResult]:
    """What a step does to a request beyond the engine's part."""
    case, trigger = step.case, step.event.action
    assert case.id is not None
    plan = policy.plan_for("service")
    hours = desk.hours_of(request.tier)
    if trigger == "hold":
        clocks.hold(session, case_id=case.id, now=now)
        _set(session, request, on_hold=True)
    elif trigger == "resume":
        clocks.resume(session, case_id=case.id, now=now, hours=hours, plan=plan)
        _set(session, request, on_hold=False)
    elif trigger == "escalate":
        _set(session, request, severity=case.severity)
        targets = desk.targets(request.tier, case.severity)
        clocks.retarget(session, case_id=case.id, now=now, hours=hours, plan=plan,
                        target_of=lambda d: targets.get(d.key))
    elif trigger == "acknowledge":
        _set(session, request, responded_at=now)
    elif trigger == "resolve":
        _set(session, request, resolved_at=now, responded_at=request.responded_at or now)
        return _start_follow_up(session, desk, policy, request=request, case=case,
                                seq=step.event.seq, actor=actor, now=now)
    elif trigger == "reopen":
        _set(session, request, resolved_at=None, on_hold=False)
        _void_follow_ups(session, case.id)
        _start_clocks(session, desk, policy, case=case, request=request,
                      keys=("resolution",), step="reopen", seq=step.event.seq, now=now)
    elif trigger in ("close", "cancel"):
        _set(session, request, on_hold=False)
        _void_follow_ups(session, case.id)
    return []


def _void_follow_ups(session: Session, case_id: int) -> None:
    session.execute(update(FollowUp).where(col(FollowUp.case_id) == case_id)
                    .where(col(FollowUp.status) == "sent").values(status="void"))


def _start_follow_up(
    session: Session, desk: ServiceDesk, policy: DeadlinePolicy, *, request: ServiceRequest,
    case: Case, seq: int, actor: str, now: datetime,
) -> list[StepResult]:
    """After resolve: a drawn request goes to follow-up (the survey, or a call when the
    customer has no contact address) with its answer owed by a window; the others close after
    the waiting period."""
    assert case.id is not None
    sampled = drawn_for_follow_up(case.id, desk.tier(request.tier).follow_up_rate)
    _set(session, request, sampled=sampled)
    customer = session.get(Customer, request.customer_id)
    if not sampled:
        start_obligation(
            session, case=case, key=CLOSE_AFTER, title="Closes unless the customer reopens it",
            started_by="resolve", started_seq=seq, now=now, kind="window", policy=policy,
            due_at=policy.calendar.add(now, desk.section.close_after),
        )
        return []
    channel = "survey" if customer is not None and customer.contact_url else "phone"
    step = advance(session, case_id=case.id, trigger="follow_up", fields={"channel": channel},
                   note=None, actor=actor, now=now, policy=policy, stepping_service=True)
    expires = policy.calendar.add(now, desk.section.follow_up_within)
    follow_up = FollowUp(case_id=case.id, channel=channel, status="sent", sent_at=now,
                         expires_at=expires)
    session.add(follow_up)
    session.flush()
    if channel == "survey" and customer is not None:
        # The customer's notice with the survey's signed link, in this transaction.
        issue_survey(session, desk=desk, case=step.case, customer=customer,
                     follow_up=follow_up, now=now)
    start_obligation(
        session, case=step.case, key=FOLLOW_UP, title="Follow-up answer from the customer",
        started_by="follow_up", started_seq=step.event.seq, due_at=expires, now=now,
        policy=policy, kind="window",
    )
    return [step]


def list_requests(
    session: Session, *, state: str | None = None, assignee: str | None = None,
    customer: str | None = None, limit: int = 500,
) -> list[tuple[Case, ServiceRequest]]:
    query = (select(Case, ServiceRequest)
             .join(ServiceRequest, col(ServiceRequest.case_id) == col(Case.id))
             .order_by(col(Case.id).desc()).limit(limit))
    if state is not None:
        query = query.where(Case.state == state)
    if assignee is not None:
        query = query.where(Case.owner == assignee)
    if customer is not None:
        query = query.where(ServiceRequest.customer_id == get_customer(session, customer).id)
    return [(c, r) for c, r in session.exec(query)]
