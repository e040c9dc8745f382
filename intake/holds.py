"""100 % inspection holds: the next lots of a supplier's part after a supplier-caused defect.

The intake places or renews a hold; incoming inspection (Issue 4) asks `open_hold` for every
lot of a part and counts the hold down as lots are inspected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.models import InspectionHold

_REASON_LIMIT = 300  # InspectionHold.reason


@dataclass(frozen=True)
class HoldChange:
    """What a defect did to the hold of its supplier's part."""

    hold: InspectionHold
    # True: an open hold was renewed to the full count; False: a new hold was placed.
    reset: bool


def open_hold(session: Session, supplier_id: int, part: str) -> InspectionHold | None:
    """The hold in force on this supplier's part, if any: not released, lots still to inspect.

    There is at most one (hold_next_lots renews rather than stacks); should an older database
    hold two, the newest is the one that counts.
    """
    return session.exec(
        select(InspectionHold)
        .where(InspectionHold.supplier_id == supplier_id)
        .where(InspectionHold.part == part)
        .where(col(InspectionHold.released_at).is_(None))
        .where(InspectionHold.lots_remaining > 0)
        .order_by(col(InspectionHold.created_at).desc(), col(InspectionHold.id).desc())
    ).first()


def hold_next_lots(
    session: Session,
    *,
    supplier_id: int,
    part: str,
    lots: int,
    case_id: int | None,
    reason: str,
    now: datetime,
) -> HoldChange:
    """Put the next `lots` lots of the supplier's part on 100 % inspection.

    An open hold is renewed, not joined by a second one: the rule is "the next N lots after
    the defect", so a new defect restarts that count. Two holds on one part would have
    incoming inspection count each lot against both and release the part when the older one
    ran out, i.e. too early. A hold that still has more lots to go than `lots` (the site
    lowered inspection_lots since) keeps them: a renewal never shortens what was owed.
    """
    reason = reason[:_REASON_LIMIT]
    hold = open_hold(session, supplier_id, part)
    if hold is not None:
        remaining = max(lots, hold.lots_remaining)
        hold.lots_required = remaining
        hold.lots_remaining = remaining
        # The hold now answers for the newest defect's case, the one inspection results should
        # be filed under; a defect recorded without a case keeps the case the hold had.
        if case_id is not None:
            hold.case_id = case_id
        hold.reason = reason
        session.add(hold)
        session.flush()
        return HoldChange(hold=hold, reset=True)
    hold = InspectionHold(
        supplier_id=supplier_id,
        part=part,
        case_id=case_id,
        reason=reason,
        lots_required=lots,
        lots_remaining=lots,
        created_at=now,
    )
    session.add(hold)
    session.flush()
    return HoldChange(hold=hold, reset=False)
