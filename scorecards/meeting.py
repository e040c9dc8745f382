"""Opening the meeting a grade escalation asks for, as a case of the meeting lifecycle."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from capaflow.casework.engine import open_case
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.notifications.routing import QUALITY_LEAD

# Who is met, for each escalation action that asks for a meeting.
WHO = {
    "meeting_quality_head": "head of quality",
    "meeting_executive": "top executive",
    "meeting_quality_contact": "quality contact",
}


def open_meeting(
    session: Session, *, action: str, code: str, month: str, why: str, actor: str,
    now: datetime, policy: DeadlinePolicy,
) -> tuple[int, datetime | None]:
    """Open the meeting's case with supplier `code`; its id and when it is due to be held
    (None if a site's config gives the meeting no deadline).

    Owned by the quality lead: the owner is the role's name, which routing resolves to the
    routes file's [roles] quality_lead (a person of that name in [people] would be told
    instead). `policy`, as for the cause report, is the run's deadline policies.
    """
    who = WHO[action]
    result = open_case(
        session, lifecycle="meeting",
        title=f"Meeting with {code}'s {who}: {why} ({month})"[:300],
        supplier_code=code, part=None, defect_code=None, severity="major",
        complex_cause=False, owner=QUALITY_LEAD, team=None,
        problem=(f"The monthly grade of {month}: {why}. Meet the supplier's {who}, then "
                 "record the minutes (capa case advance ID record_minutes --field minutes=...)."),
        actor=actor, now=now, policy=policy,
    )
    assert result.case.id is not None
    due = [d.due_at for d in result.deadlines.started if d.key == "held"]
    return result.case.id, due[0] if due else None
