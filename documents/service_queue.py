"""The service desk's queue (docs/architecture.md, "Service desk"): the open requests, the
one whose SLA clock runs out first on top, as the staff pages show them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.documents.service import RequestPublic, request_documents
from capaflow.models import Case, ServiceRequest
from capaflow.statemachines.service import OPEN_STATES


def next_due(request: RequestPublic) -> datetime | None:
    """When the request's next SLA clock runs out: the earliest running one; with every clock
    on hold, the earliest held one (it resumes from there); None when none is left."""
    running = [c.due_at for c in request.clocks if c.status == "running"]
    if running:
        return min(running)
    held = [c.due_at for c in request.clocks if c.status == "on_hold"]
    return min(held) if held else None


def _order(request: RequestPublic) -> tuple[int, datetime, int]:
    due = next_due(request)
    # A running clock before a held one before none; then the nearest due; then the oldest.
    rank = 2 if due is None else (1 if request.on_hold else 0)
    return rank, due or request.received_at, request.id


def desk_queue(
    session: Session, *, now: datetime, state: str | None = None,
    assignee: str | None = None, team: str | None = None, limit: int = 500,
) -> list[RequestPublic]:
    """The open requests (or those in `state`), of one assignee or team if asked, nearest SLA
    due first."""
    query = (select(Case, ServiceRequest)
             .join(ServiceRequest, col(ServiceRequest.case_id) == col(Case.id))
             .where(Case.lifecycle == "service"))
    if state is not None:
        query = query.where(Case.state == state)
    else:
        query = query.where(col(Case.state).in_(OPEN_STATES))
    if assignee is not None:
        query = query.where(Case.owner == assignee)
    if team is not None:
        query = query.where(ServiceRequest.team == team)
    rows = [(c, r) for c, r in session.exec(query.order_by(col(Case.id).desc()).limit(limit))]
    return sorted(request_documents(session, rows, now), key=_order)
