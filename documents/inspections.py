"""Incoming inspection: the plan for a lot (`capa inspect plan --json`, GET
/inspections/plan), what recording a lot did (`capa inspect record --json`, POST
/inspections) and a stored lot (GET /inspections, GET /inspections/{id})."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pydantic import ConfigDict, Field

from capaflow.documents.base import Public, Timestamp
from capaflow.models import InspectionHold, InspectionLot, Notification, Supplier
from capaflow.sampling import Plan

# What the documents read of the inspection service's results (inspection.InspectionPlan,
# Standing, Switch, LotResult), by shape: read models import only rules and models
# (docs/architecture.md, "Layers"), so any object with these attributes will do.


class Standing(Protocol):
    @property
    def severity(self) -> str: ...
    @property
    def recent(self) -> tuple[bool, ...]: ...
    @property
    def consecutive_accepted(self) -> int: ...
    @property
    def switching_score(self) -> int: ...
    @property
    def rejected_on_tightened(self) -> int: ...


class InspectionPlan(Protocol):
    @property
    def supplier(self) -> str: ...
    @property
    def part(self) -> str: ...
    @property
    def lot_size(self) -> int: ...
    @property
    def aql(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def code_letter(self) -> str: ...
    @property
    def sample_size(self) -> int: ...
    @property
    def acceptance_number(self) -> int: ...
    @property
    def rejection_number(self) -> int: ...
    @property
    def why(self) -> str: ...
    @property
    def sampling(self) -> Plan | None: ...
    @property
    def hold(self) -> InspectionHold | None: ...
    @property
    def hold_lot(self) -> int | None: ...
    @property
    def standing(self) -> Standing: ...
    @property
    def not_cooperative(self) -> bool: ...


class Switch(Protocol):
    @property
    def from_severity(self) -> str: ...
    @property
    def to_severity(self) -> str: ...
    @property
    def reason(self) -> str: ...


class IntakeOutcome(Protocol):
    @property
    def outcome(self) -> str: ...


class LotResult(Protocol):
    @property
    def lot(self) -> InspectionLot: ...
    @property
    def supplier(self) -> Supplier: ...
    @property
    def plan(self) -> InspectionPlan: ...
    @property
    def accepted(self) -> bool: ...
    @property
    def switching(self) -> Standing: ...
    @property
    def switches(self) -> Sequence[Switch]: ...
    @property
    def case_id(self) -> int | None: ...
    @property
    def intake(self) -> IntakeOutcome | None: ...
    @property
    def counted_hold(self) -> InspectionHold | None: ...
    @property
    def counted_remaining(self) -> int | None: ...
    @property
    def hold_after(self) -> InspectionHold | None: ...
    @property
    def notice(self) -> Notification | None: ...
    @property
    def delivered_after(self) -> str | None: ...
    @property
    def delivery_notice(self) -> Notification | None: ...


class StandingPublic(Public):
    """Where the supplier's part stands in ISO 2859-1 switching."""

    severity: str
    # Lots on normal since the last switch to normal, newest last (ISO 2859-1 9.3.1).
    recent_on_normal: list[str]
    consecutive_accepted_on_tightened: int
    switching_score: int
    rejected_on_tightened: int


class HoldPublic(Public):
    """A 100 % inspection hold on the part (containment after a supplier defect)."""

    id: int
    case_id: int | None
    lots_required: int
    lots_remaining: int
    released_at: Timestamp | None
    reason: str


class CountedHoldPublic(HoldPublic):
    """The hold a lot counted down; `remaining_after_this_lot` is before any renewal a
    rejection of the lot caused (the hold itself then shows the renewed count)."""

    remaining_after_this_lot: int | None


class PlanPublic(Public):
    """How to inspect one lot, and why."""

    supplier: str
    part: str
    lot_size: int
    aql: str
    level: str
    severity: str
    code_letter: str
    # After an arrow of the plan tables, the row whose plan is used.
    plan_letter: str | None
    sample_size: int
    acceptance_number: int
    rejection_number: int
    hundred_percent: bool
    why: str
    hold: HoldPublic | None
    hold_lot: int | None
    not_cooperative: bool
    switching: StandingPublic


class DeliveryPublic(Public):
    """The delivery's documents as recorded with the lot (issue 13, point 7).

    `outgoing_report` and `certificates`: true (came with it), false (missing) or null (not
    recorded, which never counts against the supplier). `missing` lists those recorded as
    missing; `out_of_order` is true when the production lot came before one of the part
    already delivered (null when no production lot was recorded). `flagged`: either.
    """

    outgoing_report: bool | None
    certificates: bool | None
    production_lot: str | None
    missing: list[str]
    out_of_order: bool | None
    flagged: bool


class LotPublic(Public):
    """A recorded lot, as inspected."""

    id: int
    supplier: str
    part: str
    lot: str
    lot_size: int
    sampled: int
    defects: int
    defect_code: str | None
    inspected_at: Timestamp
    recorded_at: Timestamp
    delivery: DeliveryPublic


class StoredLotPublic(LotPublic):
    """A stored lot with its verdict (GET /inspections)."""

    accepted: bool


class SwitchPublic(Public):
    """A change of severity and the rule that made it."""

    # "from" is a Python keyword: the attribute is from_, the document's key "from".
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    reason: str


class LotRecordPublic(Public):
    """What recording one lot did."""

    lot: LotPublic
    result: str
    accepted: bool
    plan: PlanPublic
    # The state after the lot, and the switches it caused (none for a held lot: 100 %
    # containment inspection is outside the ISO scheme and leaves switching alone).
    switching: StandingPublic
    switches: list[SwitchPublic]
    case_id: int | None
    intake_outcome: str | None
    counted_hold: CountedHoldPublic | None
    hold: HoldPublic | None
    notice_id: int | None
    # The notice a flagged delivery sent the supplier's contact; the production lot it came
    # out of order after.
    delivery_notice_id: int | None
    delivered_after: str | None


def standing_document(standing: Standing) -> StandingPublic:
    return StandingPublic(
        severity=standing.severity,
        recent_on_normal=["accepted" if a else "rejected" for a in standing.recent],
        consecutive_accepted_on_tightened=standing.consecutive_accepted,
        switching_score=standing.switching_score,
        rejected_on_tightened=standing.rejected_on_tightened,
    )


def _hold(hold: InspectionHold) -> HoldPublic:
    assert hold.id is not None  # shown once stored
    return HoldPublic(
        id=hold.id, case_id=hold.case_id, lots_required=hold.lots_required,
        lots_remaining=hold.lots_remaining, released_at=hold.released_at, reason=hold.reason,
    )


def hold_document(hold: InspectionHold | None) -> HoldPublic | None:
    return _hold(hold) if hold is not None else None


def plan_document(plan: InspectionPlan) -> PlanPublic:
    sampling = plan.sampling
    return PlanPublic(
        supplier=plan.supplier,
        part=plan.part,
        lot_size=plan.lot_size,
        aql=plan.aql,
        level=plan.level,
        severity=plan.severity,
        code_letter=plan.code_letter,
        plan_letter=sampling.plan_letter if sampling else None,
        sample_size=plan.sample_size,
        acceptance_number=plan.acceptance_number,
        rejection_number=plan.rejection_number,
        hundred_percent=sampling.hundred_percent if sampling else True,
        why=plan.why,
        hold=hold_document(plan.hold),
        hold_lot=plan.hold_lot,
        not_cooperative=plan.not_cooperative,
        switching=standing_document(plan.standing),
    )


def delivery_document(lot: InspectionLot) -> DeliveryPublic:
    missing = [name for name, came in (("outgoing_report", lot.outgoing_report),
                                       ("certificates", lot.certificates)) if came is False]
    return DeliveryPublic(
        outgoing_report=lot.outgoing_report, certificates=lot.certificates,
        production_lot=lot.production_lot, missing=missing, out_of_order=lot.out_of_order,
        flagged=bool(missing) or lot.out_of_order is True,
    )


def lot_document(lot: InspectionLot, supplier: Supplier) -> LotPublic:
    assert lot.id is not None  # shown once stored
    return LotPublic(
        id=lot.id, supplier=supplier.code, part=lot.part, lot=lot.lot, lot_size=lot.lot_size,
        sampled=lot.sample_size, defects=lot.defects, defect_code=lot.defect_code,
        inspected_at=lot.inspected_at, recorded_at=lot.recorded_at,
        delivery=delivery_document(lot),
    )


def stored_lot_document(lot: InspectionLot, supplier: Supplier) -> StoredLotPublic:
    return StoredLotPublic(**dict(lot_document(lot, supplier)), accepted=lot.accepted)


def lot_record_document(result: LotResult) -> LotRecordPublic:
    counted = result.counted_hold
    return LotRecordPublic(
        lot=lot_document(result.lot, result.supplier),
        result="accepted" if result.accepted else "rejected",
        accepted=result.accepted,
        plan=plan_document(result.plan),
        switching=standing_document(result.switching),
        switches=[
            SwitchPublic(from_=s.from_severity, to=s.to_severity, reason=s.reason)
            for s in result.switches
        ],
        case_id=result.case_id,
        intake_outcome=result.intake.outcome if result.intake else None,
        counted_hold=CountedHoldPublic(
            **dict(_hold(counted)),
            remaining_after_this_lot=result.counted_remaining,
        ) if counted is not None else None,
        hold=hold_document(result.hold_after),
        notice_id=result.notice.id if result.notice else None,
        delivery_notice_id=result.delivery_notice.id if result.delivery_notice else None,
        delivered_after=result.delivered_after,
    )


class InspectionResumedPublic(Public):
    """`capa inspect resume`: a discontinued part resumed at tightened inspection."""

    supplier: str
    part: str
    severity: str
    reason: str
    by: str
    at: Timestamp


class _Severity(Protocol):
    @property
    def severity(self) -> str: ...


class Resumed(Protocol):
    @property
    def supplier(self) -> Supplier: ...
    @property
    def part(self) -> str: ...
    @property
    def state(self) -> _Severity: ...
    @property
    def switch(self) -> Switch: ...


def resumed_document(resumed: Resumed, *, actor: str, now: datetime) -> InspectionResumedPublic:
    return InspectionResumedPublic(
        supplier=resumed.supplier.code, part=resumed.part, severity=resumed.state.severity,
        reason=resumed.switch.reason, by=actor, at=now)
