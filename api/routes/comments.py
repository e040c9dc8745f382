"""The conversation on a case (docs/architecture.md, "The supplier conversation"):

    GET  /cases/{id}/comments    the comments the caller may read (a supplier: the shared
                                 ones of its own case; another supplier's case: 404)
    POST /cases/{id}/comments    {"body", "internal"}: the quality lead or manager, shared or
                                 internal; a supplier, on its own case, shared only; a viewer
                                 is refused (403)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter

from capaflow.conversation import NotPermitted, post_comment, read_thread
from capaflow.documents.comments import (
    CommentPublic,
    ThreadPublic,
    comment_document,
    thread_document,
)
from capaflow.serving.context import ContextDep, NowDep, PrincipalDep, SessionDep
from capaflow.serving.errors import forbidden
from capaflow.serving.fields import Body, CaseId, Text

router = APIRouter(tags=["conversation"])


class NewComment(Body):
    # Bounded by the service (1 to 5,000 characters, named "body"); Text only caps what is
    # read at all.
    body: Text | None = None
    internal: bool = False


@contextmanager
def _as_refusal() -> Iterator[None]:
    try:
        yield
    except NotPermitted as exc:
        raise forbidden(exc.message) from exc


@router.get("/cases/{case_id}/comments", response_model=ThreadPublic)
def thread_route(case_id: CaseId, session: SessionDep, principal: PrincipalDep) -> ThreadPublic:
    """The case's conversation, oldest first."""
    with _as_refusal():
        comments = read_thread(session, principal=principal, case_id=case_id)
    return thread_document(case_id, comments)


@router.post("/cases/{case_id}/comments", status_code=201, response_model=CommentPublic)
def comment_route(case_id: CaseId, body: NewComment, session: SessionDep, now: NowDep,
                  ctx: ContextDep, principal: PrincipalDep) -> CommentPublic:
    """Write on the case's conversation; the other side is told (not of an internal note)."""
    with _as_refusal():
        posted = post_comment(session, principal=principal, case_id=case_id, body=body.body,
                              internal=body.internal, now=now, policy=ctx.deadline_policy)
    return comment_document(posted.comment)
