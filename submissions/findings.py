"""Audit findings a supplier owes, answered from its portal: the action taken and its evidence,
sent as a submission of its own kind so the quality lead's one review queue holds them beside
the 8D steps (docs/architecture.md, "The supplier portal").

A finding answer is a Submission on the audit case with trigger `answer_finding` and the
fields finding / action / evidence. It does not close the finding: accepting it does, through
audits.close_finding (what the audit page's "close finding" does), in the lead's name; a
rejection sends the reason back and the finding stays open, its deadline still chased.
A supplier sees and answers the findings of its own supplier's audits only; another
supplier's finding answers exactly as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, update
from sqlmodel import Session, col, select

from capaflow.accounts import Principal
from capaflow.audits import close_finding
from capaflow.casework.engine import StepResult
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import Conflict, NotFound, check_text
from capaflow.models import AuditFinding, Case, Submission
from capaflow.submissions import notices
from capaflow.suppliers.registry import supplier_of

FINDING_ANSWER = "answer_finding"
AUDIT = "audit"
# The column sizes a finding's resolution goes to (audits.service): action and evidence
# together, with the attribution line, must still fit.
MAX_ACTION = 9_000
MAX_EVIDENCE = 9_000

_submissions: Table = Submission.__table__  # type: ignore[attr-defined]
_WITHDRAW = (
    update(_submissions)
    .where(_submissions.c.id == bindparam("b_id"), _submissions.c.status == "pending")
    .values(status="withdrawn", decided_by=bindparam("b_by"),
            decided_at=bindparam("b_at", type_=_submissions.c.decided_at.type),
            reason=bindparam("b_reason"))
)


class NotASupplier(Exception):
    """Only a supplier's people answer a finding (the interfaces answer 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OwedFinding:
    """An open finding of one of the supplier's audits, as its portal lists it."""

    finding: AuditFinding
    audit: Case
    overdue: bool
    waiting: Submission | None  # the answer waiting for the lead's review
    sent_back: Submission | None  # the latest answer, when it was not accepted


def is_finding_answer(submission: Submission) -> bool:
    return submission.trigger == FINDING_ANSWER


def finding_id_of(submission: Submission) -> int:
    return int(str(submission.fields.get("finding", "0")))


def _answers(session: Session, finding_ids: list[int]) -> dict[int, list[Submission]]:
    if not finding_ids:
        return {}
    audits = {f.case_id for f in session.exec(
        select(AuditFinding).where(col(AuditFinding.id).in_(finding_ids)))}
    rows = session.exec(select(Submission).where(col(Submission.case_id).in_(audits))
                        .where(Submission.trigger == FINDING_ANSWER)
                        .order_by(col(Submission.id)))
    found: dict[int, list[Submission]] = {}
    for s in rows:
        found.setdefault(finding_id_of(s), []).append(s)
    return found


def owed_findings(session: Session, *, supplier_id: int, now: datetime) -> list[OwedFinding]:
    """Every open finding of the supplier's audits, the earliest due first."""
    rows = list(session.exec(
        select(AuditFinding, Case).join(Case, col(Case.id) == col(AuditFinding.case_id))
        .where(Case.supplier_id == supplier_id, Case.lifecycle == AUDIT,
               AuditFinding.status == "open")
        .order_by(col(AuditFinding.due_at), col(AuditFinding.id))
    ).all())
    answers = _answers(session, [f.id for f, _ in rows if f.id is not None])
    owed = []
    for finding, audit in rows:
        mine = answers.get(finding.id or 0, [])
        latest = mine[-1] if mine else None
        owed.append(OwedFinding(
            finding=finding, audit=audit, overdue=finding.due_at < now,
            waiting=latest if latest is not None and latest.status == "pending" else None,
            sent_back=latest if latest is not None and latest.status == "rejected" else None,
        ))
    return owed


def visible_finding(session: Session, principal: Principal, finding_id: int) -> AuditFinding:
    """The finding, if the principal's supplier owes it; NotFound otherwise, worded as for a
    finding that does not exist, so a supplier cannot learn another's findings exist."""
    finding = session.get(AuditFinding, finding_id)
    audit = session.get(Case, finding.case_id) if finding is not None else None
    if (finding is None or audit is None or audit.lifecycle != AUDIT
            or (principal.is_supplier and audit.supplier_id != principal.supplier_id)):
        raise NotFound(f"finding {finding_id} does not exist", field="finding")
    return finding


def answer_finding(
    session: Session,
    *,
    principal: Principal,
    finding_id: int,
    action: str | None,
    evidence: str | None,
    now: datetime,
) -> Submission:
    """The supplier's answer to an open finding it owes, waiting for the lead's review. A
    newer answer to the same finding replaces the one still pending."""
    if not principal.is_supplier:
        raise NotASupplier("only a supplier's people answer a finding; the quality team "
                           "closes it on the audit page")
    finding = visible_finding(session, principal, finding_id)
    if finding.status != "open":
        raise Conflict(f"finding {finding_id} is already closed", field="finding")
    fields = {
        "finding": str(finding_id),
        "action": check_text("action", action, limit=MAX_ACTION, required=True),
    }
    said = check_text("evidence", evidence, limit=MAX_EVIDENCE)
    if said:
        fields["evidence"] = said
    audit = session.get(Case, finding.case_id)
    assert audit is not None  # a foreign key
    earlier = _answers(session, [finding_id]).get(finding_id, [])
    submission = Submission(
        case_id=finding.case_id, trigger=FINDING_ANSWER, fields=fields, note=None,
        submitted_by=principal.actor[:100], submitted_at=now, status="pending",
        case_version=audit.version,
    )
    session.add(submission)
    session.flush()
    for old in earlier:
        if old.status == "pending":
            session.connection().execute(_WITHDRAW, {
                "b_id": old.id, "b_by": principal.actor[:100], "b_at": now,
                "b_reason": f"replaced by submission #{submission.id}"})
    session.add(notices.submitted(submission, audit, supplier_of(session, audit), now))
    session.flush()
    return submission


def still_open(session: Session, submission: Submission) -> bool:
    """Whether the finding a pending answer is about can still be closed by accepting it."""
    finding = session.get(AuditFinding, finding_id_of(submission))
    return finding is not None and finding.status == "open"


def close_answered(
    session: Session, *, submission: Submission, actor: str, now: datetime,
    policy: DeadlinePolicy,
) -> StepResult:
    """Close the finding with the supplier's answer as its resolution, in the lead's name."""
    finding_id = finding_id_of(submission)
    if not still_open(session, submission):
        raise Conflict(f"finding {finding_id} is already closed; reject the answer instead",
                       field="submission")
    action = str(submission.fields.get("action", ""))
    evidence = submission.fields.get("evidence")
    resolution = (f"{action}\nEvidence: {evidence}" if evidence else action) + (
        f"\n(answered by {submission.submitted_by}, submission #{submission.id}, "
        f"accepted by {actor})")
    step, _ = close_finding(session, finding_id=finding_id, resolution=resolution,
                            actor=actor, now=now, policy=policy)
    return step
