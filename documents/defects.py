"""A defect through the recurrence intake, as `capa defect record --json` and POST /defects
answer it: what the intake did with it, the case, the 100 % inspection hold, the deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from capaflow.deadlines.schedule import DeadlineChanges
from capaflow.documents.base import Public, Timestamp
from capaflow.documents.cases import CaseSummary, DeadlinePublic, case_summary, deadline_document
from capaflow.models import Case, DefectEvent, InspectionHold, Supplier

# What the documents read of the intake's results (intake.IntakeResult, intake.HoldChange,
# casework's StepResult), by shape: read models import only rules and models
# (docs/architecture.md, "Layers"), so any object with these attributes will do.


class HoldChange(Protocol):
    @property
    def hold(self) -> InspectionHold: ...
    @property
    def reset(self) -> bool: ...


class StepTaken(Protocol):
    @property
    def deadlines(self) -> DeadlineChanges: ...


class IntakeOutcome(Protocol):
    @property
    def outcome(self) -> str: ...
    @property
    def defect(self) -> DefectEvent: ...
    @property
    def supplier(self) -> Supplier: ...
    @property
    def case(self) -> Case | None: ...
    @property
    def case_id(self) -> int | None: ...
    @property
    def linked_case_id(self) -> int | None: ...
    @property
    def step(self) -> StepTaken | None: ...
    @property
    def hold(self) -> HoldChange: ...
    @property
    def late_report(self) -> bool: ...


class DefectPublic(Public):
    id: int
    supplier: str
    part: str
    defect_code: str
    quantity: int
    occurred_at: Timestamp
    recorded_at: Timestamp
    source: str


class HoldPlacedPublic(Public):
    """The 100 % inspection hold the defect placed or renewed on the part."""

    id: int
    part: str
    case_id: int | None
    lots_required: int
    lots_remaining: int
    # true: an open hold on this part was renewed to the full count instead of stacking.
    reset: bool
    reason: str


class DeadlineChangesPublic(Public):
    started: list[DeadlinePublic]
    cancelled: list[DeadlinePublic]


class DefectRecordPublic(Public):
    """What recording one defect did."""

    outcome: str
    case_id: int | None
    linked_case_id: int | None
    case: CaseSummary | None
    defect: DefectPublic
    inspection_hold: HoldPlacedPublic
    deadlines: DeadlineChangesPublic
    # true: the defect reopened a case already closed as effective (it occurred inside the
    # case's effectiveness window, reported only after the window's end); outcome "reopened".
    late_report: bool = False


def defect_document(result: IntakeOutcome) -> DefectPublic:
    defect = result.defect
    assert defect.id is not None  # shown once stored
    return DefectPublic(
        id=defect.id, supplier=result.supplier.code, part=defect.part,
        defect_code=defect.defect_code, quantity=defect.quantity,
        occurred_at=defect.occurred_at, recorded_at=defect.recorded_at, source=defect.source,
    )


def hold_placed_document(change: HoldChange) -> HoldPlacedPublic:
    hold = change.hold
    assert hold.id is not None  # shown once stored
    return HoldPlacedPublic(
        id=hold.id, part=hold.part, case_id=hold.case_id, lots_required=hold.lots_required,
        lots_remaining=hold.lots_remaining, reset=change.reset, reason=hold.reason,
    )


def defect_record_document(result: IntakeOutcome, now: datetime) -> DefectRecordPublic:
    step = result.step
    changes = step.deadlines if step is not None else DeadlineChanges()
    return DefectRecordPublic(
        outcome=result.outcome,
        case_id=result.case_id,
        linked_case_id=result.linked_case_id,
        case=case_summary(result.case, result.supplier) if result.case is not None
        else None,
        defect=defect_document(result),
        inspection_hold=hold_placed_document(result.hold),
        deadlines=DeadlineChangesPublic(
            started=[deadline_document(d, now) for d in changes.started],
            cancelled=[deadline_document(d, now) for d in changes.cancelled],
        ),
        late_report=result.late_report,
    )
