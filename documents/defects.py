"""A defect through the recurrence intake, as `capa defect record --json` and POST /defects
answer it: what the intake did with it, the case, the 100 % inspection hold, the deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from capaflow.deadlines.schedule import DeadlineChanges
from capaflow.documents.base import Public, Timestamp
from capaflow.documents.cases import CaseSummary, DeadlinePublic, case_summary, deadline_document
from capaflow.models import Case, CaseEvent, Deadline, DefectEvent, InspectionHold, Supplier

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


class Classification(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def basis(self) -> str: ...


class ClassifyResult(Protocol):
    @property
    def case(self) -> Case: ...
    @property
    def event(self) -> CaseEvent: ...
    @property
    def classification(self) -> str: ...
    @property
    def previous(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def started(self) -> list[Deadline]: ...
    @property
    def cancelled(self) -> list[Deadline]: ...
    @property
    def released_hold(self) -> InspectionHold | None: ...
    @property
    def hold(self) -> HoldChange | None: ...
    @property
    def contain_step(self) -> StepTaken | None: ...


class PartsReceived(Protocol):
    @property
    def case(self) -> Case: ...
    @property
    def event(self) -> CaseEvent: ...
    @property
    def met(self) -> list[Deadline]: ...


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
    @property
    def classification(self) -> Classification | None: ...
    @property
    def classified(self) -> ClassifyResult | None: ...


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
    # Batch versus sporadic (README): the rule's class of this defect and why; the parts the
    # supplier now owes for it (good_parts for a batch, replacement otherwise).
    classification: str | None = None
    classification_basis: str | None = None
    parts_owed: list[DeadlinePublic] = []


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
        classification=result.classification.kind if result.classification else None,
        classification_basis=result.classification.basis if result.classification else None,
        parts_owed=[deadline_document(d, now) for d in
                    (result.classified.started if result.classified else [])],
    )


class ClassifyPublic(Public):
    """`capa defect classify`: the quality lead's classification of an 8D case."""

    case: CaseSummary
    classification: str
    previous: str | None
    source: str
    reason: str
    event_seq: int
    started: list[DeadlinePublic]
    cancelled: list[DeadlinePublic]
    # The 100 % inspection hold an exempt class released, or one placed again.
    released_hold_id: int | None
    placed_hold_id: int | None
    # An exempt case still in containment moved on to D4 (its D3 recorded as not required).
    contained: bool


def classify_document(
    result: ClassifyResult, supplier: Supplier | None, reason: str, now: datetime
) -> ClassifyPublic:
    step = result.contain_step
    cancelled = list(result.cancelled)
    started = list(result.started)
    if step is not None:
        started.extend(step.deadlines.started)
    return ClassifyPublic(
        case=case_summary(result.case, supplier),
        classification=result.classification,
        previous=result.previous,
        source=result.source,
        reason=reason,
        event_seq=result.event.seq,
        started=[deadline_document(d, now) for d in started],
        cancelled=[deadline_document(d, now) for d in cancelled],
        released_hold_id=result.released_hold.id if result.released_hold else None,
        placed_hold_id=result.hold.hold.id if result.hold else None,
        contained=step is not None,
    )


class PartsReceivedPublic(Public):
    """`capa defect parts-received`: the parts the supplier owed arrived."""

    case_id: int
    event_seq: int
    met: list[DeadlinePublic]


def parts_received_document(result: PartsReceived, now: datetime) -> PartsReceivedPublic:
    assert result.case.id is not None
    return PartsReceivedPublic(
        case_id=result.case.id, event_seq=result.event.seq,
        met=[deadline_document(d, now) for d in result.met],
    )
