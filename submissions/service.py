"""Submit, accept, reject: keyword-only services in the caller's transaction, like
statemachines.engine, so a refused request writes nothing.

A submission does not move the case. The supplier's text is checked exactly as the engine
checks a step (statemachines.guards.check_fields), so what the supplier is told is wrong is
what the engine would refuse; accepting then takes the step through `engine.advance` with the
submitted fields and the quality lead as the actor, all the engine's writes included (audit
event, deadlines, notices). A decision is written with a conditional UPDATE (only while the
submission is still pending), so of two decisions racing on one submission exactly one lands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, update
from sqlmodel import Session, col
from sqlmodel import select as select_model

from capaflow.accounts import Principal
from capaflow.accounts.scope import visible_case
from capaflow.calendars import isoformat
from capaflow.casework.engine import StepResult, advance
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, NotFound, case_not_found, check_text, refuse_nul
from capaflow.models import Case, Submission
from capaflow.models.queries import read_case
from capaflow.statemachines import CAUSE_REPORT, EIGHT_D, LIFECYCLES
from capaflow.statemachines.guards import MAX_FIELD_LENGTH, check_fields
from capaflow.submissions import findings, notices
from capaflow.submissions.notices import STEP_NAMES
from capaflow.suppliers.registry import supplier_of

# The steps a supplier answers; accepting, rejecting, closing and cancelling stay with the
# quality team (the same ones the API lets a supplier take: api/routes/cases.py): the four of
# an 8D case and the written cause report's `submit`.
SUPPLIER_TRIGGERS = tuple(t for t in STEP_NAMES if t != findings.FINDING_ANSWER)
# The lifecycles whose steps a supplier owes and submits from its portal.
SUPPLIER_LIFECYCLES = (EIGHT_D.name, CAUSE_REPORT.name)

PENDING = "pending"
ACCEPTED = "accepted"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

# Half the engine's limit for a step's note: accepting puts "submitted by ..." before the
# supplier's note in the audit event, and the whole must still fit (engine note limit 20,000).
MAX_NOTE = MAX_FIELD_LENGTH // 2
MAX_REASON = MAX_FIELD_LENGTH

_submissions: Table = Submission.__table__  # type: ignore[attr-defined]
_DECIDE = (
    update(_submissions)
    .where(_submissions.c.id == bindparam("b_id"), _submissions.c.status == PENDING)
    .values(
        status=bindparam("b_status"),
        decided_by=bindparam("b_by"),
        decided_at=bindparam("b_at", type_=_submissions.c.decided_at.type),
        reason=bindparam("b_reason"),
    )
)
_WITHDRAW_OTHERS = (
    update(_submissions)
    .where(
        _submissions.c.case_id == bindparam("b_case"),
        _submissions.c.status == PENDING,
        _submissions.c.id != bindparam("b_keep"),
    )
    .values(
        status=WITHDRAWN,
        decided_by=bindparam("b_by"),
        decided_at=bindparam("b_at", type_=_submissions.c.decided_at.type),
        reason=bindparam("b_reason"),
    )
)


class NotPermitted(Exception):
    """The principal's role may not do this (the interfaces answer 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Acceptance:
    submission: Submission
    step: StepResult


def _case_of(session: Session, case_id: int) -> Case:
    # Detached, straight from the database: accepting writes the case with the engine's Core
    # statements, behind the ORM's identity map, so a mapped copy here would go stale.
    case = read_case(session, case_id)
    if case is None:
        raise case_not_found(case_id)
    return case


def owed_steps(case: Case) -> tuple[str, ...]:
    """The steps the supplier owes on this case now: of an open 8D case, or of a written
    cause report still requested (none for any other case). The portal offers a form for
    each, so whatever it lists as owed can be submitted from it."""
    if case.lifecycle not in SUPPLIER_LIFECYCLES:
        return ()
    machine = LIFECYCLES[case.lifecycle]
    return tuple(t for t in machine.allowed(case.state) if t in SUPPLIER_TRIGGERS)




def submit(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    trigger: str,
    fields: Mapping[str, str],
    note: str | None,
    now: datetime,
) -> Submission:
    """A supplier's answer to what its case owes now, waiting for the quality lead.

    A newer submission for the same case withdraws the one still pending: the lead reviews
    the supplier's latest word, not a queue of drafts.
    """
    if not principal.is_supplier:
        raise NotPermitted("only a supplier's people submit a step; the quality team takes "
                           "the step itself")
    case = visible_case(session, principal, case_id)
    step = trigger.strip().lower()
    if step not in SUPPLIER_TRIGGERS:
        raise BadInput(
            f"trigger: '{trigger}' is not a step a supplier submits "
            f"({', '.join(SUPPLIER_TRIGGERS)})",
            field="trigger",
        )
    if case.lifecycle not in SUPPLIER_LIFECYCLES:
        raise Conflict(
            f"case {case_id} is not an 8D case or a cause report: suppliers submit the steps "
            "of those only",
            field="case",
        )
    owed = owed_steps(case)
    if step not in owed:
        raise Conflict(
            f"'{step}' is not owed in state {case.state}; owed now: "
            f"{', '.join(owed) or 'nothing from the supplier (the case is ' + case.state + ')'}",
            field="trigger",
            allowed=owed,
        )
    cleaned = check_fields(LIFECYCLES[case.lifecycle], step, fields)
    for name, value in cleaned.items():
        refuse_nul(name, value)
    submission = Submission(
        case_id=case_id, trigger=step, fields=cleaned,
        note=check_text("note", note, limit=MAX_NOTE),
        submitted_by=principal.actor[:100], submitted_at=now, status=PENDING,
        case_version=case.version,
    )
    session.add(submission)
    session.flush()
    session.connection().execute(_WITHDRAW_OTHERS, {
        "b_case": case_id, "b_keep": submission.id, "b_by": principal.actor[:100],
        "b_at": now, "b_reason": f"replaced by submission #{submission.id}",
    })
    session.add(notices.submitted(submission, case, supplier_of(session, case), now))
    session.flush()
    return submission


def _pending_submission(session: Session, submission_id: int, verb: str) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(f"submission {submission_id} does not exist", field="submission")
    if submission.status != PENDING:
        raise Conflict(
            f"submission {submission_id} is {submission.status}; only a pending submission "
            f"can be {verb}",
            field="submission",
        )
    return submission


def _decide(
    session: Session, submission: Submission, *, status: str, actor: str, now: datetime,
    reason: str | None,
) -> None:
    written = session.connection().execute(_DECIDE, {
        "b_id": submission.id, "b_status": status, "b_by": actor[:100], "b_at": now,
        "b_reason": reason,
    }).rowcount
    if written != 1:
        raise Conflict(
            f"submission {submission.id} was decided or replaced by someone else meanwhile; "
            "reload and look again",
            field="submission",
        )
    session.refresh(submission)


def accept(
    session: Session,
    *,
    submission_id: int,
    principal: Principal,
    now: datetime,
    policy: DeadlinePolicy,
) -> Acceptance:
    """Take the submitted step on the case, by the lead; Conflict if the case moved on since
    the supplier saw it (another step, a recurrence counted) or the step is no longer owed."""
    if not principal.can_write:
        raise NotPermitted(f"the role {principal.role} may not accept submissions")
    submission = _pending_submission(session, submission_id, "accepted")
    if findings.is_finding_answer(submission):
        # Closes the finding (audits.close_finding); the audit case's version is not asked:
        # closing another finding moved it, and this finding's own state is what counts.
        closed = findings.close_answered(session, submission=submission, actor=principal.actor,
                                         now=now, policy=policy)
        _decide(session, submission, status=ACCEPTED, actor=principal.actor, now=now,
                reason=None)
        return Acceptance(submission=submission, step=closed)
    case = _case_of(session, submission.case_id)
    owed = owed_steps(case)
    if case.version != submission.case_version or submission.trigger not in owed:
        raise Conflict(
            f"case {case.id} has moved on since submission #{submission_id} was made (it is "
            f"now in {case.state}); reject it and ask the supplier for what is owed now",
            field="submission",
            allowed=owed,
        )
    what = STEP_NAMES[submission.trigger]
    note = (f"{what} submitted by {submission.submitted_by} at "
            f"{isoformat(submission.submitted_at)} (submission #{submission_id}), "
            f"accepted by {principal.actor}")
    if submission.note:
        note += f"; supplier's note: {submission.note}"
    step = advance(
        session, case_id=submission.case_id, trigger=submission.trigger,
        fields={name: str(value) for name, value in submission.fields.items()}, note=note,
        actor=principal.actor, now=now, policy=policy, expected_version=submission.case_version,
    )
    _decide(session, submission, status=ACCEPTED, actor=principal.actor, now=now, reason=None)
    return Acceptance(submission=submission, step=step)


def reject(
    session: Session,
    *,
    submission_id: int,
    principal: Principal,
    reason: str | None,
    now: datetime,
) -> Submission:
    """Send a submission back with the reason, which the supplier's contact is sent; the
    case stays where it is and still owes the step."""
    if not principal.can_write:
        raise NotPermitted(f"the role {principal.role} may not reject submissions")
    submission = _pending_submission(session, submission_id, "rejected")
    text = check_text("reason", reason, limit=MAX_REASON)
    if text is None:
        raise BadInput("reason: say why it is not accepted (the supplier is sent it)",
                       field="reason")
    case = _case_of(session, submission.case_id)
    _decide(session, submission, status=REJECTED, actor=principal.actor, now=now, reason=text)
    session.add(notices.rejected(submission, case, now))
    session.flush()
    return submission


def pending(
    session: Session, *, supplier_id: int | None = None, case_id: int | None = None
) -> list[Submission]:
    """Submissions waiting for a decision, oldest first."""
    query = select_model(Submission).where(Submission.status == PENDING)
    if case_id is not None:
        query = query.where(Submission.case_id == case_id)
    if supplier_id is not None:
        query = query.join(Case, col(Case.id) == col(Submission.case_id)).where(
            Case.supplier_id == supplier_id)
    return list(session.exec(query.order_by(col(Submission.submitted_at), col(Submission.id))))


def case_submissions(session: Session, *, case_id: int) -> list[Submission]:
    """Every submission of a case, in the order they were made."""
    query = select_model(Submission).where(Submission.case_id == case_id)
    return list(session.exec(query.order_by(col(Submission.id))))
