"""Post and read a case's comments: keyword-only services in the caller's transaction, so a
refused request writes nothing (docs/architecture.md, "The supplier conversation").

Who may do what: the quality team's writers (quality lead, quality manager) post shared or
internal comments; a supplier posts on its own cases only, always shared, and reads only the
shared ones; another supplier's case answers as a case that does not exist (accounts.scope).
A viewer reads everything and posts nothing. Each comment is a fact in the case's hash-chained
trail (casework.engine.record_fact): the event names the comment, whether it is internal and
the SHA-256 of its text, not the text itself, because a supplier reads its case's trail
through the API and must not read an internal note there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.accounts.scope import visible_case
from capaflow.accounts.users import CASE_READER_ROLES
from capaflow.casework.engine import record_fact
from capaflow.conversation import notices
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, check_text
from capaflow.models import CaseComment, CaseEvent
from capaflow.suppliers.registry import supplier_of

LEAD = "lead"
SUPPLIER = "supplier"
MAX_BODY = 5000  # the column's size (models.comment)
COMMENTED = "comment"  # the action of the trail's event


class NotPermitted(Exception):
    """The principal's role may not do this (the interfaces answer 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PostedComment:
    comment: CaseComment
    event: CaseEvent


def _may_read(principal: Principal) -> None:
    if principal.role not in CASE_READER_ROLES:
        raise NotPermitted(f"a {principal.role.replace('_', ' ')} may not read the supplier "
                           "conversation")


def comments_for(session: Session, *, principal: Principal, case_id: int) -> list[CaseComment]:
    """The comments `principal` may see on a case it already may see: all for the quality
    team, the shared ones for the supplier, none for another role."""
    if principal.role not in CASE_READER_ROLES:
        return []
    return case_comments(session, case_id=case_id, shared_only=principal.is_supplier)


def case_comments(session: Session, *, case_id: int, shared_only: bool) -> list[CaseComment]:
    """A case's comments, oldest first, without a check of who asks (the operator's CLI);
    `shared_only` leaves the internal notes out."""
    query = select(CaseComment).where(CaseComment.case_id == case_id)
    if shared_only:
        query = query.where(col(CaseComment.internal).is_(False))
    return list(session.exec(query.order_by(col(CaseComment.posted_at), col(CaseComment.id))))


def read_thread(session: Session, *, principal: Principal, case_id: int) -> list[CaseComment]:
    """The comments of a case the principal may read, oldest first: a supplier only the
    shared ones of its own case (NotFound for another supplier's)."""
    _may_read(principal)
    visible_case(session, principal, case_id)
    return case_comments(session, case_id=case_id, shared_only=principal.is_supplier)


def post_comment(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    body: str | None,
    internal: bool,
    now: datetime,
    policy: DeadlinePolicy,
) -> PostedComment:
    """A comment on the case, in its trail, and the notice to the other side (none for an
    internal note). Refused: an empty, blank or too long `body`; `internal` from a supplier;
    a role that does not write."""
    if not principal.is_supplier and not principal.can_write:
        raise NotPermitted(f"the role {principal.role} may read the conversation but not "
                           "write in it")
    case = visible_case(session, principal, case_id)
    text = check_text("body", body, limit=MAX_BODY, required=True)
    if principal.is_supplier and internal:
        raise BadInput("internal: a supplier's comment is always shared with the quality team",
                       field="internal")
    kind = SUPPLIER if principal.is_supplier else LEAD
    comment = CaseComment(case_id=case_id, author=principal.actor[:100], author_kind=kind,
                          body=text, internal=internal, posted_at=now)
    session.add(comment)
    session.flush()
    step = record_fact(
        session, case_id=case_id, action=COMMENTED,
        fields={"comment": comment.id, "author_kind": kind, "internal": internal,
                "body_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()},
        note=None, actor=principal.actor, now=now, policy=policy, tell_owner=False,
    )
    if kind == SUPPLIER:
        session.add(notices.from_supplier(comment, case, supplier_of(session, case), now))
    elif not internal and case.supplier_id is not None:
        session.add(notices.to_supplier(comment, case, now))
    session.flush()
    return PostedComment(comment=comment, event=step.event)
