"""The hash chain of a supplier's decisions (blacklisting it, lifting the blacklist).

Each supplier's decisions form a chain like a case's events (audittrail.chain): a decision
stores its place (`seq`), the hash of the decision before it and its own hash over its content,
the signature included. The supplier row keeps the newest hash and the count, so editing,
deleting or inserting a decision, or deleting the last one, breaks the chain
(docs/architecture.md, "Layers": audittrail appends and verifies).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, update
from sqlmodel import Session, col
from sqlmodel import select as model_select

from capaflow.audittrail.anchors import Anchor
from capaflow.calendars import isoformat
from capaflow.errors import Conflict
from capaflow.models import Supplier, SupplierDecision

GENESIS = "0" * 64
_suppliers: Table = Supplier.__table__  # type: ignore[attr-defined]


def decision_payload(decision: SupplierDecision) -> dict[str, Any]:
    """What a decision's hash covers: all it records, and the hash before it."""
    return {
        "supplier_id": decision.supplier_id,
        "seq": decision.seq,
        "decision": decision.decision,
        "reason": decision.reason,
        "actor": decision.actor,
        "at": isoformat(decision.at),
        "signature": decision.signature,
        "prev_hash": decision.prev_hash,
    }


def decision_hash(decision: SupplierDecision) -> str:
    """Canonical JSON (as for events, audittrail.chain.event_hash), hashed with SHA-256.

    Migration 0014 hashes the decisions it found with a frozen copy of this: change both or
    neither.
    """
    payload = json.dumps(decision_payload(decision), sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_decision(session: Session, decision: SupplierDecision) -> None:
    """Give `decision` its place in its supplier's chain and move the supplier's head.

    The head moves with a compare-and-set on the supplier row: of two decisions about one
    supplier at once, the second is refused as a conflict (exit 4), never chained twice on
    the same place. Nothing but the supplier's head is written here; the caller inserts the
    decision in the same transaction.
    """
    count, head = session.connection().execute(
        select(_suppliers.c.decision_count, _suppliers.c.decision_head)
        .where(_suppliers.c.id == decision.supplier_id)
    ).one()
    decision.seq = count + 1
    decision.prev_hash = head or GENESIS
    decision.hash = decision_hash(decision)
    moved = session.connection().execute(
        update(_suppliers)
        .where(_suppliers.c.id == decision.supplier_id, _suppliers.c.decision_count == count)
        .values(decision_count=decision.seq, decision_head=decision.hash)
    )
    if moved.rowcount != 1:
        raise Conflict("supplier: another decision about this supplier came first; try again",
                       field="supplier")


@dataclass(frozen=True)
class DecisionBreak:
    """The first place a supplier's decision chain does not match what was recomputed."""

    supplier_id: int
    supplier: str
    seq: int | None
    decision_id: int | None
    problem: str


def _verify_supplier(
    supplier: Supplier, decisions: list[SupplierDecision]
) -> tuple[int, DecisionBreak | None]:
    assert supplier.id is not None

    def broken(seq: int | None, decision_id: int | None, problem: str) -> DecisionBreak:
        assert supplier.id is not None
        return DecisionBreak(supplier.id, supplier.code, seq, decision_id, problem)

    prev = GENESIS
    for expected_seq, decision in enumerate(decisions, start=1):
        if decision.seq != expected_seq:
            return expected_seq, broken(expected_seq, decision.id,
                                        f"decision {expected_seq} is missing")
        if decision.prev_hash != prev:
            return expected_seq, broken(decision.seq, decision.id,
                                        "does not point at the decision before it")
        if decision_hash(decision) != decision.hash:
            return expected_seq, broken(decision.seq, decision.id,
                                        "its content or signature does not match its hash")
        prev = decision.hash
    if len(decisions) != supplier.decision_count or prev != (supplier.decision_head or GENESIS):
        return len(decisions), broken(
            len(decisions) + 1, None,
            f"the supplier records {supplier.decision_count} decisions, "
            f"the chain ends after {len(decisions)}",
        )
    return len(decisions), None


def _against_anchor(
    supplier: Supplier, decisions: list[SupplierDecision], anchored: tuple[str, int, str]
) -> DecisionBreak | None:
    """The supplier's chain must still pass through the head the anchor recorded."""
    assert supplier.id is not None
    _, count, head = anchored
    if count == 0:
        return None
    if len(decisions) < count:
        return DecisionBreak(supplier.id, supplier.code, len(decisions) + 1, None,
                             f"the chain ends after {len(decisions)} decisions, the anchor "
                             f"recorded {count}: its end was cut off")
    decision = decisions[count - 1]
    if decision.hash != head:
        return DecisionBreak(supplier.id, supplier.code, count, decision.id,
                             "does not match the head the anchor recorded: the chain was "
                             "rewritten")
    return None


def verify_decisions(
    session: Session, *, anchor: Anchor | None = None
) -> tuple[int, tuple[DecisionBreak, ...]]:
    """Recompute every supplier's decision chain: how many decisions, the first break of each.

    With `anchor`, every supplier it names must still exist and pass through its head.
    """
    seen = 0
    breaks: list[DecisionBreak] = []
    found: set[int] = set()
    for supplier in session.exec(model_select(Supplier).order_by(col(Supplier.id))):
        decisions = list(session.exec(
            model_select(SupplierDecision)
            .where(SupplierDecision.supplier_id == supplier.id)
            .order_by(col(SupplierDecision.seq), col(SupplierDecision.id))
        ))
        counted, broken = _verify_supplier(supplier, decisions)
        assert supplier.id is not None
        if broken is None and anchor is not None and supplier.id in anchor.suppliers:
            broken = _against_anchor(supplier, decisions, anchor.suppliers[supplier.id])
        seen += counted
        found.add(supplier.id)
        if broken is not None:
            breaks.append(broken)
    if anchor is not None:
        for gone in sorted(set(anchor.suppliers) - found):
            code, count, _ = anchor.suppliers[gone]
            breaks.append(DecisionBreak(gone, code, None, None,
                                        f"the supplier is gone: the anchor recorded it with "
                                        f"{count} decisions"))
    return seen, tuple(breaks)
