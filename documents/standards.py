"""The documents of service standards, inspection rounds and their findings
(docs/architecture.md, "Service quality control"): what `capa standard|round|finding ... --json`
prints and the API answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.documents.base import Public, Timestamp
from capaflow.models import Case, Deadline, InspectionFinding, InspectionRound, Standard
from capaflow.standards.cases import case_now
from capaflow.standards.catalogue import CatalogueEntry, StandardVersion
from capaflow.standards.findings import FIX, list_findings
from capaflow.standards.rounds import Plan, results_of, standard_of


class StandardItemPublic(Public):
    code: str
    text: str
    weight: float
    factor: str
    critical: bool


class StandardPublic(Public):
    department: str
    position: str
    version: int
    title: str
    imported_at: Timestamp
    imported_by: str
    items: list[StandardItemPublic]


class StandardImportPublic(Public):
    # False: the file was identical to the current version and nothing was written.
    added: bool
    standard: StandardPublic


class StandardEntryPublic(Public):
    department: str
    position: str
    title: str
    version: int
    items: int
    imported_at: Timestamp


class StandardListPublic(Public):
    standards: list[StandardEntryPublic]


def standard_document(standard: StandardVersion) -> StandardPublic:
    return StandardPublic(
        department=standard.department, position=standard.position, version=standard.version,
        title=standard.title, imported_at=standard.imported_at,
        imported_by=standard.imported_by,
        items=[StandardItemPublic(code=i.code, text=i.text, weight=i.weight, factor=i.factor,
                                  critical=i.critical) for i in standard.items],
    )


def standard_list_document(entries: list[CatalogueEntry]) -> StandardListPublic:
    return StandardListPublic(standards=[
        StandardEntryPublic(department=e.department, position=e.position, title=e.title,
                            version=e.version, items=e.items, imported_at=e.imported_at)
        for e in entries])


# --- inspection rounds and findings ------------------------------------------------------------


class FindingPublic(Public):
    id: int
    round: int
    state: str
    department: str
    item_code: str
    factor: str
    critical: bool
    owner: str
    found_at: Timestamp
    # The fix's deadline, and whether it has passed while the finding is open.
    due_at: Timestamp | None
    late: bool
    action: str | None
    # The PDCA cycle the item's recurrence opened or joined.
    pdca: int | None


class FindingListPublic(Public):
    findings: list[FindingPublic]


class RoundResultPublic(Public):
    code: str
    text: str
    weight: float
    factor: str
    critical: bool
    # None while the round is owed.
    passed: bool | None
    note: str | None


class RoundSummaryPublic(Public):
    id: int
    state: str
    department: str
    position: str
    inspector: str
    due_at: Timestamp
    overdue: bool
    planned_for: str | None
    standard_version: int | None
    recorded_at: Timestamp | None
    score: float | None


class RoundPublic(RoundSummaryPublic):
    # The items of the version it was scored against (owed: the current one) with results.
    items: list[RoundResultPublic]
    findings: list[FindingPublic]
    allowed: list[str]


class RoundListPublic(Public):
    rounds: list[RoundSummaryPublic]


class RoundPlanPublic(Public):
    month: str
    opened: list[RoundSummaryPublic]
    existing: list[RoundSummaryPublic]


def _fix_due(session: Session, case_ids: Sequence[int]) -> dict[int, datetime]:
    if not case_ids:
        return {}
    rows = session.exec(select(Deadline.case_id, Deadline.due_at)
                        .where(col(Deadline.case_id).in_(case_ids))
                        .where(Deadline.key == FIX))
    return {case_id: due for case_id, due in rows}


def finding_documents(
    session: Session, rows: Sequence[tuple[Case, InspectionFinding]], now: datetime
) -> list[FindingPublic]:
    due = _fix_due(session, [f.case_id for _, f in rows])
    documents = []
    for case, finding in rows:
        due_at = due.get(finding.case_id)
        documents.append(FindingPublic(
            id=finding.case_id, round=finding.round_id, state=case.state,
            department=finding.department, item_code=finding.item_code, factor=finding.factor,
            critical=finding.critical, owner=finding.owner, found_at=finding.found_at,
            due_at=due_at, late=case.state == "open" and due_at is not None and due_at < now,
            action=finding.action, pdca=finding.pdca_case_id))
    return documents


def _version(session: Session, standard_id: int | None) -> int | None:
    if standard_id is None:
        return None
    row = session.get(Standard, standard_id)
    return row.version if row is not None else None


def round_summary(
    session: Session, case: Case, row: InspectionRound, now: datetime
) -> RoundSummaryPublic:
    return RoundSummaryPublic(
        id=row.case_id, state=case.state, department=row.department, position=row.position,
        inspector=row.inspector, due_at=row.due_at,
        overdue=case.state == "owed" and row.due_at < now, planned_for=row.planned_for,
        standard_version=_version(session, row.standard_id), recorded_at=row.recorded_at,
        score=row.score)


def round_document(
    session: Session, case: Case, row: InspectionRound, now: datetime
) -> RoundPublic:
    summary = round_summary(session, case, row, now)
    standard = standard_of(session, row)
    results = {r.item_code: r for r in results_of(session, row.case_id)}
    items = [] if standard is None else [
        RoundResultPublic(
            code=i.code, text=i.text, weight=i.weight, factor=i.factor, critical=i.critical,
            passed=results[i.code].passed if i.code in results else None,
            note=results[i.code].note if i.code in results else None)
        for i in standard.items]
    findings = finding_documents(session, list_findings(session, round_id=row.case_id), now)
    return RoundPublic(**summary.model_dump(), items=items,
                       findings=sorted(findings, key=lambda f: f.id),
                       allowed=["record"] if case.state == "owed" else [])


def round_list_document(
    session: Session, rows: Sequence[tuple[Case, InspectionRound]], now: datetime
) -> RoundListPublic:
    return RoundListPublic(rounds=[round_summary(session, c, r, now) for c, r in rows])


def round_plan_document(session: Session, plan: Plan, now: datetime) -> RoundPlanPublic:
    def summaries(rows: Sequence[InspectionRound]) -> list[RoundSummaryPublic]:
        return [round_summary(session, case_now(session, r.case_id), r, now) for r in rows]

    return RoundPlanPublic(month=plan.month, opened=summaries(plan.opened),
                           existing=summaries(plan.existing))
