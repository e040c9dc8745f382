"""Inspection findings through the engine (docs/architecture.md, "Service quality control"):
each failed item of a round is a case of the `finding` lifecycle, owned by someone who owes
its fix (the `fix` deadline, met by `close`, reminded and escalated by the sweep); closing the
last one closes the round.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from capaflow.casework.engine import advance, start_case
from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.deadlines.schedule import start_obligation
from capaflow.errors import NotFound, check_id, check_text
from capaflow.models import Case, InspectionFinding, InspectionRound
from capaflow.standards.cases import case_now
from capaflow.standards.catalogue import Item
from capaflow.standards.people import department_lead
from capaflow.standards.recurrence import act_on_recurrence

# The finding's deadline: the fix owed by its owner.
FIX = "fix"
OPEN_STATES = ("open",)


def get_finding(session: Session, finding_id: int) -> tuple[Case, InspectionFinding]:
    found = session.get(InspectionFinding, check_id("finding", finding_id))
    if found is None:
        raise NotFound(f"finding {finding_id} does not exist", field="finding")
    return case_now(session, finding_id), found


def open_finding(
    session: Session, *, policies: Policies, policy: DeadlinePolicy, round_row: InspectionRound,
    item: Item, note: str | None, owner: str, actor: str, now: datetime,
) -> InspectionFinding:
    """The finding of a failed item, its fix owed within `[standards] fix_due`, and the
    recurrence rule applied to it."""
    department = round_row.department
    lead = department_lead(session, policies, department)
    case = Case(
        lifecycle="finding", state="open", severity="critical" if item.critical else "minor",
        title=f"{item.code} failed in {department}: {item.text}"[:300], owner=owner,
        content={"team_lead": lead} if lead else {}, linked_case_id=round_row.case_id,
        opened_at=now, updated_at=now,
    )
    opened = start_case(session, case=case, opened_with={
        "round": round_row.case_id, "department": department, "item": item.code,
        "factor": item.factor, "critical": item.critical, "owner": owner,
        **({"note": note} if note else {}),
    }, supplier=None, actor=actor, now=now, policy=policy)
    assert case.id is not None
    finding = InspectionFinding(
        case_id=case.id, round_id=round_row.case_id, department=department,
        item_code=item.code, factor=item.factor, critical=item.critical, owner=owner,
        found_at=now)
    session.add(finding)
    session.flush()
    start_obligation(session, case=case, key=FIX, title=f"Fix {item.code} in {department}",
                     started_by="open", started_seq=opened.event.seq,
                     due_at=policy.calendar.add(now, policies.standards.fix_due), now=now,
                     policy=policy, met_by=("close",))
    act_on_recurrence(session, policies=policies, policy=policy, finding=finding,
                      actor=actor, now=now)
    return finding


def close_finding(
    session: Session, *, policy: DeadlinePolicy, finding_id: int, action: str, actor: str,
    now: datetime,
) -> tuple[Case, InspectionFinding]:
    """Close a finding with what was done; its round closes with its last finding."""
    _, finding = get_finding(session, finding_id)
    text = check_text("action", action, limit=2000, required=True)
    advance(session, case_id=finding_id, trigger="close", fields={"action": text}, note=None,
            actor=actor, now=now, policy=policy, stepping_service=True)
    session.execute(update(InspectionFinding)
                    .where(col(InspectionFinding.case_id) == finding_id).values(action=text))
    finding.action = text
    close_when_findings_closed(session, policy=policy, round_id=finding.round_id, actor=actor,
                               now=now)
    return case_now(session, finding_id), finding


def close_when_findings_closed(
    session: Session, *, policy: DeadlinePolicy, round_id: int, actor: str, now: datetime,
) -> bool:
    """Close the round if it is recorded and none of its findings is open; whether it did."""
    case = case_now(session, round_id)
    if case.state != "recorded":
        return False
    still_open = session.exec(
        select(InspectionFinding.case_id)
        .join(Case, col(Case.id) == col(InspectionFinding.case_id))
        .where(InspectionFinding.round_id == round_id)
        .where(col(Case.state).in_(OPEN_STATES)).limit(1)
    ).first()
    if still_open is not None:
        return False
    advance(session, case_id=round_id, trigger="close",
            fields={"reason": "its last finding closed"}, note=None, actor=actor, now=now,
            policy=policy, stepping_service=True)
    return True


def list_findings(
    session: Session, *, department: str | None = None, only_open: bool = False,
    round_id: int | None = None, limit: int = 500,
) -> list[tuple[Case, InspectionFinding]]:
    query = (select(Case, InspectionFinding)
             .join(InspectionFinding, col(InspectionFinding.case_id) == col(Case.id)))
    if department is not None:
        query = query.where(InspectionFinding.department == department)
    if only_open:
        query = query.where(col(Case.state).in_(OPEN_STATES))
    if round_id is not None:
        query = query.where(InspectionFinding.round_id == round_id)
    query = query.order_by(col(InspectionFinding.found_at).desc(), col(Case.id).desc())
    # Fresh rows: a step taken in this session wrote its case with a statement of its own.
    query = query.limit(limit).execution_options(populate_existing=True)
    return [(c, f) for c, f in session.exec(query)]
