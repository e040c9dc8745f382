"""Supplier audits (5M1E): an audit with its findings, as `capa supplier-audit show --json`,
GET /audits and GET /audits/{id} answer it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from capaflow.documents.base import Public, Timestamp
from capaflow.documents.cases import CaseSummary, EventPublic, case_summary, event_document
from capaflow.models import AuditFinding, Case, CaseEvent, Supplier

# What the document reads of audits.AuditView, by shape: read models import only rules and
# models (docs/architecture.md, "Layers"), so any object with these attributes will do.


class AuditView(Protocol):
    @property
    def case(self) -> Case: ...
    @property
    def supplier(self) -> str | None: ...
    @property
    def findings(self) -> list[AuditFinding]: ...
    @property
    def open_findings(self) -> list[AuditFinding]: ...


class FindingPublic(Public):
    """A checklist item that failed, owed by someone by a date."""

    id: int
    case: int
    factor: str
    item: str
    description: str
    owner: str
    due_at: Timestamp
    overdue: bool
    status: str
    closed_at: Timestamp | None
    closed_by: str | None
    resolution: str | None


class AuditPublic(CaseSummary):
    """The audit's case (its supplier by code), every finding, and how many are open."""

    findings: list[FindingPublic]
    open_findings: int


def finding_document(finding: AuditFinding, now: datetime) -> FindingPublic:
    assert finding.id is not None  # shown once stored
    return FindingPublic(
        id=finding.id, case=finding.case_id, factor=finding.factor, item=finding.item,
        description=finding.description, owner=finding.owner, due_at=finding.due_at,
        overdue=finding.status == "open" and finding.due_at < now, status=finding.status,
        closed_at=finding.closed_at, closed_by=finding.closed_by, resolution=finding.resolution,
    )


def audit_document(view: AuditView, now: datetime) -> AuditPublic:
    # The audit view names its supplier by code already.
    case = case_summary(view.case, None).model_dump() | {"supplier": view.supplier}
    return AuditPublic(
        **case,
        findings=[finding_document(f, now) for f in view.findings],
        open_findings=len(view.open_findings),
    )


class AuditStepsPublic(Public):
    """`capa supplier-audit plan|conduct|finding|close|cancel`: the audit case after its
    steps, the events they wrote and the findings they raised or closed."""

    case: CaseSummary
    events: list[EventPublic]
    findings: list[FindingPublic]


def audit_steps_document(
    case: Case, supplier: Supplier | None, events: Iterable[CaseEvent],
    findings: Iterable[AuditFinding], now: datetime,
) -> AuditStepsPublic:
    return AuditStepsPublic(
        case=case_summary(case, supplier),
        events=[event_document(e) for e in events],
        findings=[finding_document(f, now) for f in findings],
    )
