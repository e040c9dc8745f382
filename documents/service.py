"""The service desk as the contract shows it: `capa customer|person|service ... --json` and
the API's service routes. A request shows its state, assignee, tier, severity and each SLA
clock (due time, status, whether it is on hold)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.deadlines.clocks import status_of_clock
from capaflow.documents.base import Public, Timestamp, from_row
from capaflow.documents.cases import EventPublic, event_document
from capaflow.models import (
    Absence,
    Case,
    CaseEvent,
    Customer,
    Deadline,
    FollowUp,
    ServicePerson,
    ServiceRequest,
    TrainingItem,
)
from capaflow.notifications.urls import mask
from capaflow.servicedesk.csvimport import ImportReport
from capaflow.statemachines import LIFECYCLES
from capaflow.statemachines.binding import BoundCase


class CustomerPublic(Public):
    code: str
    name: str
    tier: str
    contact: str | None
    created_at: Timestamp


def customer_document(customer: Customer) -> CustomerPublic:
    return CustomerPublic(code=customer.code, name=customer.name, tier=customer.tier,
                          contact=mask(customer.contact_url), created_at=customer.created_at)


class CustomerLinkPublic(Public):
    """`capa customer link`: a signed link into the customer's portal."""

    customer: str
    link: str
    valid_until: Timestamp


class AbsencePublic(Public):
    starts_at: Timestamp
    ends_at: Timestamp


class PersonPublic(Public):
    name: str
    team: str
    skills: list[str]
    lead: bool
    absences: list[AbsencePublic]


def person_document(person: ServicePerson, absences: Iterable[Absence] = ()) -> PersonPublic:
    return PersonPublic(
        name=person.name, team=person.team, skills=list(person.skills), lead=person.lead,
        absences=[AbsencePublic(starts_at=a.starts_at, ends_at=a.ends_at) for a in absences],
    )


class TrainingItemPublic(Public):
    """Targeted training owed by the person who handled a request scored low on a dimension;
    chased by the sweep through a deadline on the corrective action until it is done."""

    id: int
    person: str
    request: int
    corrective_case: int | None
    dimension: str
    title: str
    status: str  # open, done
    created_at: Timestamp
    due_at: Timestamp
    done_at: Timestamp | None
    overdue: bool
    note: str | None


def training_document(item: TrainingItem, now: datetime) -> TrainingItemPublic:
    assert item.id is not None
    corrective = item.detail.get("corrective_case")
    note = item.detail.get("note")
    return TrainingItemPublic(
        id=item.id, person=item.person, request=item.case_id,
        corrective_case=corrective if isinstance(corrective, int) else None,
        dimension=item.dimension, title=item.title,
        status="done" if item.done_at is not None else "open",
        created_at=item.created_at, due_at=item.due_at, done_at=item.done_at,
        overdue=item.done_at is None and now > item.due_at,
        note=note if isinstance(note, str) else None,
    )


class PersonDetail(PersonPublic):
    """A person's page: who they are, their absences and their training items."""

    training: list[TrainingItemPublic]


def person_detail(
    person: ServicePerson, absences: Iterable[Absence], training: Iterable[TrainingItem],
    now: datetime,
) -> PersonDetail:
    return PersonDetail.model_validate({
        **person_document(person, absences).model_dump(),
        "training": [training_document(t, now) for t in training],
    })


class ClockPublic(Public):
    """An SLA clock or follow-up window of a request."""

    key: str
    title: str
    status: str  # running, on_hold, met, cancelled
    on_hold: bool
    started_at: Timestamp
    due_at: Timestamp
    held_seconds: int
    met_on_time: bool | None
    closed_at: Timestamp | None
    breached: bool


def clock_document(deadline: Deadline, now: datetime) -> ClockPublic:
    status = status_of_clock(deadline)
    if status in ("running", "on_hold"):
        breached = now > deadline.due_at and status == "running"
    else:
        breached = deadline.met_on_time is False
    return from_row(ClockPublic, deadline, status=status, on_hold=status == "on_hold",
                    breached=breached)


class FollowUpPublic(Public):
    channel: str
    status: str
    sent_at: Timestamp
    expires_at: Timestamp | None
    answered_at: Timestamp | None
    answered_by: str | None
    solved: bool | None
    overall: int | None
    nps: int | None
    reliability: int | None
    assurance: int | None
    tangibles: int | None
    empathy: int | None
    responsiveness: int | None
    comment: str | None
    low_score: bool


class RequestPublic(Public):
    id: int
    state: str
    discipline: str | None
    allowed_triggers: list[str]
    version: int
    title: str
    customer: str
    tier: str
    kind: str
    severity: str
    category: str
    team: str
    channel: str
    assignee: str | None
    dispatch_flag: str | None
    on_hold: bool
    received_at: Timestamp
    responded_at: Timestamp | None
    resolved_at: Timestamp | None
    closed_at: Timestamp | None
    outcome: str | None
    sampled: bool | None
    corrective_case: int | None
    response: str | None
    resolution: str | None
    clocks: list[ClockPublic]


class RequestDetail(RequestPublic):
    follow_ups: list[FollowUpPublic]
    events: list[EventPublic]


def _customer_codes(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Customer.id, Customer.code).where(col(Customer.id).in_(wanted)))
    return {int(i): str(c) for i, c in rows if i is not None}


def _all_clocks(session: Session, case_ids: Sequence[int]) -> dict[int, list[Deadline]]:
    found: dict[int, list[Deadline]] = {i: [] for i in case_ids}
    if not case_ids:
        return found
    rows = session.exec(select(Deadline).where(col(Deadline.case_id).in_(case_ids))
                        .order_by(col(Deadline.id)))
    for row in rows:
        found[row.case_id].append(row)
    return found


# The conditions a reader can judge from the row alone (BoundCase reads the hold flag); the
# reopen window needs the desk's facts and is left to the step itself.
_ROW_CONDITIONS = ("on_hold", "not_on_hold")


def _allowed(case: Case) -> list[str]:
    """The steps the request may take now: those of its state whose hold condition holds
    (hold when running, resume when on hold)."""
    machine = LIFECYCLES["service"]
    bound = BoundCase(case)
    allowed = []
    for trigger in machine.allowed(case.state):
        step = next(s for s in machine.steps if s.trigger == trigger and s.source == case.state)
        if all(getattr(bound, c) for c in step.conditions if c in _ROW_CONDITIONS):
            allowed.append(trigger)
    return allowed


def _summary(case: Case, request: ServiceRequest, customer: str, clocks: list[Deadline],
             now: datetime) -> dict[str, object]:
    machine = LIFECYCLES["service"]
    assert case.id is not None
    return {
        "id": case.id, "state": case.state, "discipline": machine.disciplines.get(case.state),
        "allowed_triggers": _allowed(case), "version": case.version,
        "title": case.title, "customer": customer, "tier": request.tier, "kind": request.kind,
        "severity": request.severity, "category": request.category, "team": request.team,
        "channel": request.channel, "assignee": case.owner,
        "dispatch_flag": request.dispatch_flag, "on_hold": request.on_hold,
        "received_at": request.received_at, "responded_at": request.responded_at,
        "resolved_at": request.resolved_at, "closed_at": case.closed_at,
        "outcome": case.content.get("outcome"), "sampled": request.sampled,
        "corrective_case": request.corrective_case_id,
        "response": case.content.get("response"), "resolution": case.content.get("resolution"),
        "clocks": [clock_document(d, now) for d in clocks],
    }


def request_documents(
    session: Session, rows: Sequence[tuple[Case, ServiceRequest]], now: datetime,
) -> list[RequestPublic]:
    """Many requests at once: one query for their customers, one for their clocks."""
    customers = _customer_codes(session, (r.customer_id for _, r in rows))
    clocks = _all_clocks(session, [c.id for c, _ in rows if c.id is not None])
    return [
        RequestPublic.model_validate(_summary(case, request, customers.get(request.customer_id,
                                                                           "?"),
                                              clocks.get(case.id or 0, []), now))
        for case, request in rows
    ]


def request_detail(
    session: Session, case: Case, request: ServiceRequest, now: datetime,
) -> RequestDetail:
    assert case.id is not None
    customer = _customer_codes(session, [request.customer_id]).get(request.customer_id, "?")
    clocks = _all_clocks(session, [case.id])[case.id]
    follow_ups = session.exec(select(FollowUp).where(FollowUp.case_id == case.id)
                              .order_by(col(FollowUp.id)))
    return RequestDetail.model_validate({
        **_summary(case, request, customer, clocks, now),
        "follow_ups": [from_row(FollowUpPublic, f) for f in follow_ups],
        "events": [event_document(e) for e in session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.seq)))],
    })


class ImportedRequestPublic(Public):
    line: int
    request: int
    assignee: str | None


class RejectedRowPublic(Public):
    line: int
    field: str | None
    message: str


class SkippedRowPublic(Public):
    line: int


class ImportErrorPublic(Public):
    code: str
    message: str
    field: str | None


class ServiceImportPublic(Public):
    """`capa service import --json`: good rows stay imported when others are rejected."""

    file: str
    rows: int
    complete: bool
    imported: list[ImportedRequestPublic]
    rejected: list[RejectedRowPublic]
    skipped: list[SkippedRowPublic]
    # Present when some rows were rejected (exit 2), for scripts that read "error".
    error: ImportErrorPublic | None = None


def import_document(report: ImportReport) -> ServiceImportPublic:
    lines = report.rejected_lines
    error = None
    if not report.complete:
        shown = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
        error = ImportErrorPublic(
            code="bad_input", field=None,
            message=(f"{len(lines)} of {report.rows} rows of {report.file} rejected (line "
                     f"{shown}); the other {len(report.imported)} rows were imported"))
    return ServiceImportPublic(
        file=report.file, rows=report.rows, complete=report.complete,
        imported=[ImportedRequestPublic(line=r.line, request=r.request, assignee=r.assignee)
                  for r in report.imported],
        rejected=[RejectedRowPublic(line=r.line, field=r.field, message=r.message)
                  for r in report.rejected],
        skipped=[SkippedRowPublic(line=n) for n in report.skipped],
        error=error,
    )
