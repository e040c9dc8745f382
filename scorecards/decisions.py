"""What a quality lead decides about a supplier: the month's cooperation, lifting a blacklist."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from capaflow.accounts.signatures import LIFT_BLACKLIST, check_signature
from capaflow.audittrail.decisions import chain_decision
from capaflow.errors import BadInput, Conflict, check_text
from capaflow.models import Supplier, SupplierDecision, SupplierRating
from capaflow.scorecards import months
from capaflow.scorecards.policy import ATTITUDES, ScorecardPolicy
from capaflow.suppliers.registry import get_supplier


def rate_supplier(
    session: Session,
    *,
    code: str,
    month: str,
    attitude: str,
    actor: str,
    now: datetime,
    policy: ScorecardPolicy,
) -> tuple[Supplier, SupplierRating]:
    """Set (or change) the supplier's cooperation attitude for `month`.

    Checked before the supplier is looked up, so a bad month or attitude is exit 2 whatever
    the code. Rating a month already graded changes its grade only when it is run again.
    """
    month = months.check_not_future(month, now, policy.calendar.zone)
    wanted = attitude.strip().lower()
    if wanted not in ATTITUDES:
        raise BadInput(
            f"attitude: '{attitude}' is not one of {', '.join(ATTITUDES)}", field="attitude"
        )
    supplier = get_supplier(session, code)
    rating = session.exec(
        select(SupplierRating).where(
            SupplierRating.supplier_id == supplier.id, SupplierRating.month == month
        )
    ).first()
    if rating is None:
        assert supplier.id is not None
        rating = SupplierRating(supplier_id=supplier.id, month=month, attitude=wanted,
                                rated_by=actor, rated_at=now)
    else:
        rating.attitude, rating.rated_by, rating.rated_at = wanted, actor, now
    session.add(rating)
    session.flush()
    return supplier, rating


def lift_blacklist(
    session: Session, *, code: str, reason: str | None, actor: str, now: datetime,
    signature: Mapping[str, Any] | None = None,
) -> tuple[Supplier, SupplierDecision]:
    """A quality lead's decision to accept the supplier's lots again, on record with why.

    `signature` (accounts.signatures.sign, meaning LIFT_BLACKLIST, by `actor`) is stored with
    the decision; the web page always signs, the CLI (run as the operator) does not.
    """
    reason_text = check_text("reason", reason, limit=1000)
    if reason_text is None:
        raise BadInput("reason: say why the blacklist is lifted (--reason)", field="reason")
    signed = (check_signature(signature, actor=actor, meaning=LIFT_BLACKLIST)
              if signature is not None else None)
    supplier = get_supplier(session, code)
    if supplier.blacklisted_at is None:
        raise Conflict(f"supplier '{supplier.code}' is not blacklisted", field="supplier")
    assert supplier.id is not None
    decision = SupplierDecision(supplier_id=supplier.id, decision="blacklist_lifted",
                                reason=reason_text, actor=actor, at=now,
                                signature=signed)
    # Chained before it is written, the signature included (README, "signed decisions").
    chain_decision(session, decision)
    supplier.blacklisted_at = None
    supplier.blacklist_reason = None
    session.add(supplier)
    session.add(decision)
    session.flush()
    return supplier, decision
