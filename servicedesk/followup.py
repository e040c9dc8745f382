"""The follow-up visit (回訪): the customer's answer, from the survey or a call, recorded once.

"Solved: no" reopens the request; "solved: yes" closes it as solved. Scores are checked
against their scales before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.casework.engine import StepResult
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, check_text
from capaflow.models import FollowUp
from capaflow.servicedesk.feedback import Improvement, act_on_follow_up
from capaflow.servicedesk.policy import DIMENSIONS, ServiceDesk
from capaflow.servicedesk.requests import advance_request, get_request
from capaflow.servicedesk.survey import open_survey


@dataclass(frozen=True)
class Answer:
    solved: bool
    overall: int
    nps: int | None = None
    dimensions: dict[str, int] | None = None
    comment: str | None = None


def check_answer(answer: Answer) -> Answer:
    """The answer, or BadInput naming the first score out of its scale."""
    if not isinstance(answer.overall, int) or not 1 <= answer.overall <= 5:
        raise BadInput(f"overall: must be 1-5 (got {answer.overall})", field="overall")
    if answer.nps is not None and not 0 <= answer.nps <= 10:
        raise BadInput(f"nps: must be 0-10 (got {answer.nps})", field="nps")
    for name, score in (answer.dimensions or {}).items():
        if name not in DIMENSIONS:
            raise BadInput(f"{name}: not a dimension ({', '.join(DIMENSIONS)})", field=name)
        if not 1 <= score <= 5:
            raise BadInput(f"{name}: must be 1-5 (got {score})", field=name)
    comment = check_text("comment", answer.comment, limit=4000)
    return Answer(solved=answer.solved, overall=answer.overall, nps=answer.nps,
                  dimensions=dict(answer.dimensions or {}), comment=comment)


def is_low(desk: ServiceDesk, answer: Answer) -> bool:
    feedback = desk.section.feedback
    return answer.overall <= feedback.low_overall or any(
        score <= feedback.low_dimension for score in (answer.dimensions or {}).values())


@dataclass
class FollowUpResult:
    follow_up: FollowUp
    step: StepResult
    # What a low score led to: the corrective action and the training items.
    improvement: Improvement | None = None


def record_follow_up(
    session: Session,
    *,
    desk: ServiceDesk,
    policy: DeadlinePolicy,
    case_id: int,
    answer: Answer,
    channel: str,
    by: str,
    actor: str,
    now: datetime,
    follow_up: FollowUp | None = None,
) -> FollowUpResult:
    """Record the customer's answer on a resolved request or one in follow-up, then close it
    as solved or reopen it. `follow_up`: the survey being answered (else the open one of the
    request is used, or a new one records a call)."""
    answer = check_answer(answer)
    case, _request = get_request(session, case_id)
    if case.state not in ("resolved", "follow_up"):
        raise Conflict(f"request {case_id} is {case.state}: a follow-up is recorded on a "
                       "resolved request or one in follow-up", field="request",
                       allowed=())
    if follow_up is None:
        follow_up = session.exec(
            select(FollowUp).where(FollowUp.case_id == case_id)
            .where(col(FollowUp.status) == "sent").order_by(col(FollowUp.id).desc())
        ).first()
    if follow_up is None:
        follow_up = FollowUp(case_id=case_id, channel=channel, sent_at=now)
    follow_up.status = "answered"
    follow_up.answered_at = now
    follow_up.answered_by = by[:100]
    follow_up.solved = answer.solved
    follow_up.overall = answer.overall
    follow_up.nps = answer.nps
    for name in DIMENSIONS:
        setattr(follow_up, name, (answer.dimensions or {}).get(name))
    follow_up.comment = answer.comment
    follow_up.low_score = is_low(desk, answer)
    session.add(follow_up)
    session.flush()
    scores = f"overall {answer.overall}" + (f", NPS {answer.nps}" if answer.nps is not None
                                            else "")
    if answer.solved:
        closed = advance_request(
            session, desk=desk, policy=policy, case_id=case_id, trigger="close",
            fields={"outcome": "solved"}, note=f"Follow-up ({channel}, {by}): solved; {scores}.",
            actor=actor, now=now)
        step = closed.steps[0]
    else:
        reopened = advance_request(
            session, desk=desk, policy=policy, case_id=case_id, trigger="reopen",
            fields={"reason": f"follow-up ({channel}, {by}): not solved"
                              + (f": {answer.comment}" if answer.comment else "")},
            note=None, actor=actor, now=now)
        step = reopened.steps[0]
    # After the close or reopen: the request's trail reads answer, step, then the action.
    improvement = act_on_follow_up(session, desk=desk, policy=policy, case_id=case_id,
                                   follow_up=follow_up, actor=actor, now=now)
    return FollowUpResult(follow_up=follow_up, step=step, improvement=improvement)


def answer_survey(
    session: Session,
    *,
    desk: ServiceDesk,
    policy: DeadlinePolicy,
    secret: str,
    token: str,
    answer: Answer,
    now: datetime,
) -> FollowUpResult:
    """The customer's answer through the survey's link: the link is checked first (not
    valid, answered, expired: servicedesk.survey), then the scores, then it is recorded as any
    follow-up is, once (a second answer finds the follow-up answered, or loses the request's
    version check, and is refused as a conflict)."""
    survey = open_survey(session, secret=secret, token=token, now=now)
    assert survey.case.id is not None
    code = survey.customer.code
    return record_follow_up(
        session, desk=desk, policy=policy, case_id=survey.case.id, answer=answer,
        channel="survey", by=code, actor=f"customer:{code}", now=now,
        follow_up=survey.follow_up,
    )
