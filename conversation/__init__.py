"""The conversation on a case between the quality team and the supplier: a comment thread,
shared or internal, each comment in the case's audit trail and told to the other side."""

from capaflow.conversation.thread import (
    LEAD,
    MAX_BODY,
    SUPPLIER,
    NotPermitted,
    PostedComment,
    case_comments,
    comments_for,
    post_comment,
    read_thread,
)

__all__ = [
    "LEAD",
    "MAX_BODY",
    "SUPPLIER",
    "NotPermitted",
    "PostedComment",
    "case_comments",
    "comments_for",
    "post_comment",
    "read_thread",
]
