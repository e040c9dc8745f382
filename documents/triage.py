"""The nonconformance list and the triage actions, as `capa defect list|reclassify|merge|close
--json` and the API's /defects routes print them (docs/architecture.md, "Defect triage")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from capaflow.documents.base import Public, Timestamp
from capaflow.models import Case, DefectEvent

# Read by shape (intake.nonconformances, intake.triage): read models import no services.


class Line(Protocol):
    @property
    def defect(self) -> DefectEvent: ...
    @property
    def supplier_code(self) -> str: ...
    @property
    def case(self) -> Case | None: ...
    @property
    def classified(self) -> str: ...
    @property
    def why(self) -> str: ...


class Page(Protocol):
    @property
    def rows(self) -> Sequence[Line]: ...
    @property
    def total(self) -> int: ...
    @property
    def page(self) -> int: ...
    @property
    def per_page(self) -> int: ...


class Triaged(Protocol):
    @property
    def action(self) -> str: ...
    @property
    def defects(self) -> list[DefectEvent]: ...
    @property
    def case(self) -> Case | None: ...
    @property
    def opened(self) -> bool: ...
    @property
    def cancelled(self) -> list[int]: ...


class NonconformancePublic(Public):
    id: int
    occurred_at: Timestamp
    recorded_at: Timestamp
    supplier: str
    part: str
    lot_size: int | None
    defect_code: str
    quantity: int
    source: str
    # batch, sporadic, one_off, unavoidable; None: recorded before defects kept their class.
    classification: str | None
    classification_source: str | None  # rule or override
    # The reason in words: the rule's ("12 defective pieces, at least 10") or the lead's.
    reason: str
    case_id: int | None
    case_state: str | None
    outcome: str | None
    handled_at: Timestamp | None
    handled_by: str | None
    handled_reason: str | None


class NonconformancePagePublic(Public):
    total: int
    page: int
    per_page: int
    defects: list[NonconformancePublic]


class TriagePublic(Public):
    action: str  # defect_reclassified, defects_merged, defects_handled
    defects: list[int]
    case_id: int | None
    case_opened: bool
    cancelled_cases: list[int]


def nonconformance_document(line: Line) -> NonconformancePublic:
    d, case = line.defect, line.case
    assert d.id is not None
    return NonconformancePublic(
        id=d.id, occurred_at=d.occurred_at, recorded_at=d.recorded_at,
        supplier=line.supplier_code, part=d.part, lot_size=d.lot_size,
        defect_code=d.defect_code, quantity=d.quantity, source=d.source,
        classification=d.classification, classification_source=d.classification_source,
        reason=line.why, case_id=d.case_id, case_state=case.state if case else None,
        outcome=d.outcome, handled_at=d.handled_at, handled_by=d.handled_by,
        handled_reason=d.handled_reason,
    )


def nonconformance_page_document(found: Page) -> NonconformancePagePublic:
    return NonconformancePagePublic(
        total=found.total, page=found.page, per_page=found.per_page,
        defects=[nonconformance_document(line) for line in found.rows],
    )


def triage_document(result: Triaged) -> TriagePublic:
    return TriagePublic(
        action=result.action, defects=[d.id for d in result.defects if d.id is not None],
        case_id=result.case.id if result.case is not None else None,
        case_opened=result.opened, cancelled_cases=list(result.cancelled),
    )
