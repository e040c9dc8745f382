"""/notifications: the outbox, as `capa notify list` and `capa notify retry` (the quality
team only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from capaflow.documents.notifications import NoticePublic, notice_documents
from capaflow.notifications.notices import (
    STATUSES,
    cases_and_suppliers,
    check_status,
    customers_of,
    list_notices,
    retry_notice,
)
from capaflow.serving.context import ContextDep, NowDep, SessionDep, get_staff, get_writer
from capaflow.serving.fields import MAX_ID

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=list[NoticePublic], dependencies=[Depends(get_staff)])
def list_route(
    session: SessionDep,
    ctx: ContextDep,
    status: Annotated[str | None, Query(description=" | ".join(STATUSES))] = None,
    case: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100,
) -> list[NoticePublic]:
    """Newest first, each with its recipients (masked). Suppliers are refused (403): the
    outbox holds the quality team's internal notices and routes."""
    wanted = status.strip().lower() if status is not None else None
    check_status(wanted)
    notices = list_notices(session, status=wanted, case_id=case, limit=limit)
    cases, suppliers = cases_and_suppliers(session, notices)
    return notice_documents(notices, cases, suppliers, ctx.routes,
                            customers_of(session, notices))


@router.post("/{notice_id}/retry", response_model=NoticePublic,
             dependencies=[Depends(get_writer)])
def retry_route(
    notice_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Notice id.")],
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
) -> NoticePublic:
    """Put a failed notice back in line: pending, due now, attempts from zero (409 for a
    notice that has not failed). Whoever already got it is not sent it again."""
    notice = retry_notice(session, notice_id=notice_id, now=now)
    cases, suppliers = cases_and_suppliers(session, [notice])
    [document] = notice_documents([notice], cases, suppliers, ctx.routes,
                                  customers_of(session, [notice]))
    return document
