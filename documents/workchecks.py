"""A work item and its three-level checks as the CLI and the API print them
(docs/architecture.md, "Service quality control")."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp, from_row
from capaflow.statemachines.workitem import WORK_ITEM
from capaflow.workchecks.items import WorkItemView


class WorkCheckPublic(Public):
    round: int
    level: str
    passed: bool
    checked_by: str
    team: str
    checked_at: Timestamp
    note: str | None
    failed_items: list[str]


class WorkItemPublic(Public):
    id: int
    title: str
    state: str
    discipline: str | None
    department: str
    team: str | None
    request: int | None
    round: int
    # The level whose check is owed now (self, mutual, specialist), None once finished.
    next_level: str | None
    opened_at: Timestamp
    closed_at: Timestamp | None
    checks: list[WorkCheckPublic]


def work_item_document(view: WorkItemView) -> WorkItemPublic:
    assert view.case.id is not None
    return WorkItemPublic(
        id=view.case.id, title=view.case.title, state=view.case.state,
        discipline=WORK_ITEM.disciplines.get(view.case.state),
        department=view.item.department, team=view.item.team,
        request=view.item.request_case_id, round=view.item.round, next_level=view.next_level,
        opened_at=view.item.opened_at, closed_at=view.case.closed_at,
        checks=[from_row(WorkCheckPublic, c) for c in view.checks],
    )
