"""The conversation on a case as the contract shows it: `capa case comment --json`, the
`comments` of `capa case show --json` and GET /cases/{id}, and the API's
/cases/{id}/comments routes."""

from __future__ import annotations

from collections.abc import Iterable

from capaflow.documents.base import Public, Timestamp, from_row
from capaflow.models import CaseComment


class CommentPublic(Public):
    """One comment: who wrote it (a quality team member or the supplier), whether it is an
    internal note of the quality team, and its text."""

    id: int
    case_id: int
    author: str
    author_kind: str  # lead, supplier
    internal: bool
    body: str
    posted_at: Timestamp


class ThreadPublic(Public):
    """GET /cases/{id}/comments: the comments the caller may read, oldest first."""

    case: int
    comments: list[CommentPublic]


def comment_document(comment: CaseComment) -> CommentPublic:
    return from_row(CommentPublic, comment)


def thread_document(case_id: int, comments: Iterable[CaseComment]) -> ThreadPublic:
    return ThreadPublic(case=case_id, comments=[comment_document(c) for c in comments])
