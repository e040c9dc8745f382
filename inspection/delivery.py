"""A delivery's documents: the outgoing inspection report, the material certificates, and the
supplier's production lot, which must come in production-lot order (issue 13, point 7).

Each is optional when a lot is recorded: not given is "not recorded", neither missing nor
present, and never counts against the supplier. A lot is flagged when a document is recorded
as missing, or when its production lot comes before the highest production lot of the
supplier's part already delivered (inspected before it), in natural order
(inspection.values.production_lot_key). The flag sends the supplier's contact a notice; it
never changes the verdict, which ISO 2859-1 sampling alone decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from capaflow.calendars import isoformat
from capaflow.errors import BadInput, check_text
from capaflow.inspection.values import PRODUCTION_LOT_LIMIT, production_lot_key
from capaflow.models import InspectionLot, Notification, Supplier

OUTGOING_REPORT = "outgoing_report"
CERTIFICATES = "certificates"
_WORDS = {OUTGOING_REPORT: "the outgoing inspection report",
          CERTIFICATES: "the material certificates"}


@dataclass(frozen=True)
class Delivery:
    """The documents as recorded with a lot; None is "not recorded"."""

    outgoing_report: bool | None = None
    certificates: bool | None = None
    production_lot: str | None = None

    @property
    def missing(self) -> list[str]:
        """The documents recorded as not delivered (one not recorded is not missing)."""
        return [name for name, came in ((OUTGOING_REPORT, self.outgoing_report),
                                        (CERTIFICATES, self.certificates)) if came is False]


def check_delivery(
    outgoing_report: bool | None, certificates: bool | None, production_lot: str | None
) -> Delivery:
    """The delivery as entered, or BadInput naming the field (exit 2 / 422)."""
    for name, value in ((OUTGOING_REPORT, outgoing_report), (CERTIFICATES, certificates)):
        if value is not None and not isinstance(value, bool):
            raise BadInput(f"{name}: {value!r} is not yes or no", field=name)
    if production_lot is not None and not isinstance(production_lot, str):
        raise BadInput(f"production_lot: {production_lot!r} is not text", field="production_lot")
    return Delivery(
        outgoing_report=outgoing_report,
        certificates=certificates,
        production_lot=check_text("production_lot", production_lot, limit=PRODUCTION_LOT_LIMIT),
    )


def delivered_after(
    session: Session, *, supplier_id: int, part: str, production_lot: str | None,
    inspected_at: datetime,
) -> str | None:
    """The production lot already delivered of the supplier's part that this one comes before
    (the highest in natural order), or None when it is in order or has no production lot.

    "Already delivered" is by when the lots were inspected, not when they were recorded: a
    back-dated import of an earlier delivery is judged against what came before it.
    """
    if production_lot is None:
        return None
    earlier = session.exec(
        select(InspectionLot.production_lot).distinct()
        .where(InspectionLot.supplier_id == supplier_id)
        .where(InspectionLot.part == part)
        .where(col(InspectionLot.production_lot).is_not(None))
        .where(InspectionLot.inspected_at <= inspected_at)
    ).all()
    highest = max((p for p in earlier if p is not None), key=production_lot_key, default=None)
    if highest is None or production_lot_key(production_lot) >= production_lot_key(highest):
        return None
    return highest


def delivery_notice(
    lot: InspectionLot, supplier: Supplier, missing: list[str], after: str | None,
    now: datetime,
) -> Notification:
    """The supplier's contact told what was wrong with the delivery's documents."""
    lines = [
        f"Lot {lot.lot} of part {lot.part} from {supplier.name} ({supplier.code}), inspected "
        f"on {isoformat(lot.inspected_at)}, did not come as agreed:",
    ]
    lines.extend(f"- it came without {_WORDS[name]};" for name in missing)
    if after is not None:
        lines.append(
            f"- its production lot {lot.production_lot} was delivered after production lot "
            f"{after}: deliveries must come in production-lot order;"
        )
    lines.append("Please send the missing documents and keep to production-lot order. "
                 "(The lot's inspection verdict is not changed by this notice.)")
    return Notification(
        # One per lot: a lot is recorded once (unique supplier, part, lot), and so is this.
        dedupe_key=f"inspection_lot:{lot.id}:delivery_documents",
        kind="delivery_documents",
        audience=["supplier_contact"],
        subject=f"[capaflow] {supplier.code}: lot {lot.lot} of {lot.part} delivered without "
        "its documents or out of order"[:300],
        body="\n".join(lines),
        extra={"inspection_lot_id": lot.id, "supplier": supplier.code,
               "supplier_id": supplier.id, "missing": missing, "delivered_after": after},
        created_at=now,
        next_attempt_at=now,
    )
