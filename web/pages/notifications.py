"""The outbox (/notifications), as `capa notify list` shows it, and putting a failed notice
back in line, as `capa notify retry` does."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from capaflow.calendars import readable
from capaflow.caselists.csvexport import to_csv
from capaflow.documents.notifications import NoticePublic, notice_documents
from capaflow.errors import BadInput
from capaflow.models import Notification
from capaflow.models.queries import notice_counts, read_notices_besides
from capaflow.notifications.notices import (
    FAILED,
    STATUSES,
    cases_and_suppliers,
    check_status,
    customers_of,
    list_notices,
    retry_notice,
)
from capaflow.serving.context import ContextDep, NowDep, SessionDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import MAX_ID
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.pages.overview import LIST_LIMIT
from capaflow.web.render import flash, page

router = APIRouter(tags=["pages"], include_in_schema=False)

_STATUS_LIMIT = 20  # longer is not a status; the message need not repeat all of it


def _wanted(status: str | None) -> str | None:
    """The filter as given ("" and "all" mean none); BadInput naming `status` if unknown."""
    if status is None:
        return None
    wanted = status.strip().lower()
    if wanted in ("", "all"):
        return None
    # At most _STATUS_LIMIT characters echoed back; no status is that long, so cutting a
    # longer one never turns it into a status.
    check_status(wanted[:_STATUS_LIMIT])
    return wanted


def _rows(ctx: ContextDep, session: SessionDep,
          notices: list[Notification]) -> list[tuple[NoticePublic, Notification]]:
    """Each notice as `capa notify list --json` shows it, beside the row (for its times)."""
    cases, suppliers = cases_and_suppliers(session, notices)
    documents = notice_documents(notices, cases, suppliers, ctx.routes,
                                 customers_of(session, notices))
    return list(zip(documents, notices, strict=True))


@router.get("/notifications")
def notifications_page(
    request: Request,
    session: SessionDep,
    now: NowDep,
    ctx: ContextDep,
    principal: StaffDep,
    status: str | None = None,
) -> Response:
    counts = notice_counts(session)
    total = sum(counts.values())
    shown: dict[str, Any] = {"statuses": STATUSES, "counts": counts, "total": total}
    try:
        wanted = _wanted(status)
    except BadInput as exc:
        # The filter form again, with what was typed and the field named; nothing listed.
        return page(request, "notifications.html", principal=principal, now=now, status=422,
                    notices=[], status_filter=status, message=exc.message, field=exc.field,
                    listed_total=0, **shown)
    if wanted is not None:
        notices = list_notices(session, status=wanted, limit=LIST_LIMIT)
        listed_total = counts.get(wanted, 0)
    else:
        # Failed first: those are what needs a person (a fixed route, then a retry).
        notices = list_notices(session, status=FAILED, limit=LIST_LIMIT)
        if len(notices) < LIST_LIMIT:
            notices += read_notices_besides(session, status=FAILED,
                                            limit=LIST_LIMIT - len(notices))
        listed_total = total
    return page(request, "notifications.html", principal=principal, now=now,
                notices=_rows(ctx, session, notices),
                status_filter=wanted or "", message=None, field=None,
                listed_total=listed_total, **shown)


@router.get("/notifications.csv")
def notifications_csv(
    session: SessionDep, now: NowDep, ctx: ContextDep, _principal: StaffDep,
    status: str | None = None,
) -> Response:
    """The notices the page lists (same filter, same limit), for a spreadsheet; recipients
    masked as on the page."""
    wanted = _wanted(status)  # BadInput: 422 naming `status`
    if wanted is not None:
        notices = list_notices(session, status=wanted, limit=LIST_LIMIT)
    else:
        notices = list_notices(session, status=FAILED, limit=LIST_LIMIT)
        if len(notices) < LIST_LIMIT:
            notices += read_notices_besides(session, status=FAILED,
                                            limit=LIST_LIMIT - len(notices))
    text = to_csv(
        ("Notice", "Case", "Kind", "Subject", "Escalation level", "Status", "Tries",
         "Recipients", "Queued (UTC)", "Sent (UTC)", "Last error"),
        ((n.id, n.case, n.kind.replace("_", " "), n.subject, n.escalation_level, n.status,
          n.attempts, "; ".join(n.recipients), row.created_at, row.sent_at, n.last_error)
         for n, row in _rows(ctx, session, notices)),
    )
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="notifications-{now:%Y-%m-%d}.csv"'})


@router.post("/notifications/{notice_id}/retry", dependencies=[CsrfChecked])
def retry(
    request: Request,
    session: SessionDep,
    now: NowDep,
    principal: StaffDep,
    notice_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    status: Annotated[str, Form(max_length=_STATUS_LIMIT)] = "",
) -> Response:
    if not principal.can_write:
        raise forbidden(f"the role {principal.role} may not retry notices")
    notice = retry_notice(session, notice_id=notice_id, now=now)
    flash(request, f"Notice {notice_id} is pending again, due {readable(notice.next_attempt_at)}:"
                   " the next dispatch sends it.")
    back = status.strip().lower()
    query = f"?status={back}" if back in STATUSES else ""
    return RedirectResponse(f"/notifications{query}", 303)
