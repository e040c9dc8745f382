"""A work item from opening to accepted through its three checks (docs/architecture.md,
"Service quality control").

A work item is a case of the `work_item` lifecycle (statemachines.workitem) with a row in
`work_items`; each check is a step of the case, taken through the engine (state, audit
event, notice), and a row in `work_checks`. The machine holds the order; this module adds what
only the people register knows: who may take each level.

- self: a person of the item's team (the team that did the work);
- mutual: a person of another team than the self check's (the next team, which receives the
  work), and never the self checker;
- specialist: a person with the skill `specialist` in the people register. Specialists are
  kept where the desk already keeps people and skills (`capa person add NAME --skills
  specialist`), so there is no second list of names to keep in step with the register, and a
  specialist may come from any department (a quality engineer checks the field's work).

Each function runs in the caller's transaction and refuses before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.casework.engine import advance, start_case
from capaflow.config.policies import Policies
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, Conflict, NotFound, check_id, check_text
from capaflow.models import Case, ServicePerson, ServiceRequest, WorkCheck, WorkItem
from capaflow.statemachines.workitem import FAIL, LEVELS, TRIGGER_OF, WORK_ITEM

SPECIALIST_SKILL = "specialist"
RESULTS = ("pass", "fail")
# The level each state owes next; none once accepted or cancelled.
NEXT_LEVEL = {
    "in_work": "self", "rework": "self", "self_checked": "mutual", "mutual_checked": "specialist",
}
_ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@dataclass
class WorkItemView:
    case: Case
    item: WorkItem
    checks: list[WorkCheck]

    @property
    def next_level(self) -> str | None:
        return NEXT_LEVEL.get(self.case.state)


def _person(session: Session, name: str, field: str) -> ServicePerson:
    found = session.exec(select(ServicePerson).where(ServicePerson.name == name)).first()
    if found is None:
        raise NotFound(f"{field}: person '{name}' does not exist (capa person add)", field=field)
    return found


def _department(policies: Policies, department: str) -> tuple[str, ...]:
    found = policies.departments.get(department)
    if found is None:
        known = ", ".join(policies.departments) or "none configured"
        raise BadInput(f"department: '{department}' is not a department ({known})",
                       field="department")
    return found.teams


def open_item(
    session: Session, *, policies: Policies, policy: DeadlinePolicy, title: str,
    department: str, team: str | None, request_id: int | None, actor: str, now: datetime,
) -> WorkItemView:
    """A work item in work: its checks are owed from self on. `team` (the team doing the
    work) must be one of the department's; `request_id` a service request it serves."""
    title_text = check_text("title", title, required=True, limit=300)
    teams = _department(policies, department)
    team_text = check_text("team", team, limit=60)
    if team_text is not None and team_text not in teams:
        raise BadInput(f"team: '{team_text}' is not a team of {department} "
                       f"({', '.join(teams) or 'none'})", field="team")
    if request_id is not None:
        check_id("request", request_id)
        if session.get(ServiceRequest, request_id) is None:
            raise NotFound(f"request: service request {request_id} does not exist",
                           field="request")
    case = Case(lifecycle=WORK_ITEM.name, state=WORK_ITEM.initial, title=title_text,
                severity="minor", content={}, opened_at=now, updated_at=now)
    opened_with = {k: v for k, v in {
        "title": title_text, "department": department, "team": team_text,
        "request": request_id}.items() if v is not None}
    start_case(session, case=case, opened_with=opened_with, supplier=None, actor=actor,
               now=now, policy=policy)
    assert case.id is not None
    item = WorkItem(case_id=case.id, department=department, team=team_text,
                    request_case_id=request_id, opened_at=now)
    session.add(item)
    session.flush()
    return WorkItemView(case=case, item=item, checks=[])


def get_item(session: Session, case_id: int) -> WorkItemView:
    item = session.get(WorkItem, check_id("item", case_id))
    if item is None:
        raise NotFound(f"item: work item {case_id} does not exist", field="item")
    # populate_existing: the engine writes a step with Core statements, behind the session.
    case = session.get(Case, case_id, populate_existing=True)
    assert case is not None
    return WorkItemView(case=case, item=item, checks=checks_of(session, case_id))


def checks_of(session: Session, case_id: int) -> list[WorkCheck]:
    """The item's checks in the order they were taken."""
    return list(session.exec(select(WorkCheck).where(WorkCheck.case_id == case_id)
                             .order_by(col(WorkCheck.id))))


def list_items(session: Session, *, state: str | None = None,
               department: str | None = None) -> list[WorkItemView]:
    """Work items, the newest first; `state` one of the lifecycle's states."""
    if state is not None and state not in WORK_ITEM.states:
        raise BadInput(f"state: '{state}' is not one of {', '.join(WORK_ITEM.states)}",
                       field="state")
    query = (select(Case, WorkItem).join(WorkItem, col(WorkItem.case_id) == col(Case.id))
             .order_by(col(Case.id).desc()))
    if state is not None:
        query = query.where(Case.state == state)
    if department is not None:
        query = query.where(WorkItem.department == department)
    rows = list(session.exec(query))
    checks: dict[int, list[WorkCheck]] = {}
    if rows:
        ids = [item.case_id for _, item in rows]
        for check in session.exec(select(WorkCheck).where(col(WorkCheck.case_id).in_(ids))
                                  .order_by(col(WorkCheck.id))):
            checks.setdefault(check.case_id, []).append(check)
    return [WorkItemView(case=case, item=item, checks=checks.get(item.case_id, []))
            for case, item in rows]


def _failed_items(text: str | None, passed: bool) -> list[str]:
    codes = [c.strip() for c in (text or "").split(",") if c.strip()]
    for code in codes:
        if not _ITEM_CODE.match(code):
            raise BadInput(f"failed_items: '{code}' is not an item code (letters, digits, "
                           "'.', '_' or '-', at most 40)", field="failed_items")
    if codes and passed:
        raise BadInput("failed_items: a passed check lists no failed items",
                       field="failed_items")
    return codes


def _self_check_of_round(view: WorkItemView) -> WorkCheck | None:
    found = [c for c in view.checks if c.round == view.item.round and c.level == "self"
             and c.passed]
    return found[-1] if found else None


def _may_check(view: WorkItemView, level: str, person: ServicePerson) -> None:
    """Who may take this level (the module's docstring says why); BadInput naming `by`."""
    if level == "self":
        if view.item.team is not None and person.team != view.item.team:
            raise BadInput(f"by: the self check is the working team's ({view.item.team}); "
                           f"{person.name} is in {person.team}", field="by")
        return
    if level == "mutual":
        own = _self_check_of_round(view)
        assert own is not None  # the state says the self check of this round passed
        if person.name == own.checked_by:
            raise BadInput(f"by: {person.name} took the self check; the mutual check is "
                           "someone else's", field="by")
        if person.team == own.team:
            raise BadInput(f"by: the mutual check is the next team's, not {own.team}, which "
                           "took the self check", field="by")
        return
    if SPECIALIST_SKILL not in person.skills:
        raise BadInput(f"by: {person.name} is not a specialist (skill '{SPECIALIST_SKILL}')",
                       field="by")


def record_check(
    session: Session, *, policy: DeadlinePolicy, case_id: int, level: str, result: str,
    by: str, note: str | None, failed_items: str | None, actor: str, now: datetime,
) -> WorkItemView:
    """One check of a work item at `level`: passed, the item moves on (accepted after the
    specialist); failed, it goes to rework and the checks start again from self.

    BadInput (level, result, by, failed_items, note), NotFound (item, by), Conflict (level:
    an earlier level has not passed, or the item is no longer checked)."""
    if level not in LEVELS:
        raise BadInput(f"level: '{level}' is not one of {', '.join(LEVELS)}", field="level")
    if result not in RESULTS:
        raise BadInput(f"result: '{result}' is not one of {', '.join(RESULTS)}",
                       field="result")
    passed = result == "pass"
    codes = _failed_items(failed_items, passed)
    note_text = check_text("note", note, limit=4000)
    view = get_item(session, case_id)
    owed = view.next_level
    if owed is None:
        raise Conflict(f"level: work item {case_id} is {view.case.state}; no check is owed",
                       field="level")
    if level != owed:
        order = LEVELS.index(level) > LEVELS.index(owed)
        why = (f"the {owed} check has not passed yet" if order
               else f"the {level} check already passed; the {owed} check is owed")
        raise Conflict(f"level: a {level} check cannot be recorded now: {why}",
                       field="level", allowed=(owed,))
    person = _person(session, by, "by")
    _may_check(view, level, person)
    fields = {"result": result, "by": person.name, "team": person.team}
    if codes:
        fields["failed_items"] = ",".join(codes)
    if not passed:
        fields["level"] = level
    step = advance(
        session, case_id=case_id, trigger=TRIGGER_OF[level] if passed else FAIL,
        fields=fields, note=note_text, actor=actor, now=now, policy=policy,
        stepping_service=True,
    )
    check = WorkCheck(case_id=case_id, round=view.item.round, level=level, passed=passed,
                      checked_by=person.name, team=person.team, checked_at=now,
                      note=note_text, failed_items=codes, seq=step.event.seq)
    session.add(check)
    if level == "self" and view.item.team is None:
        # The team that did the work is the one that checked it first.
        view.item.team = person.team
    if not passed:
        view.item.round += 1
    session.add(view.item)
    session.flush()
    return get_item(session, case_id)
