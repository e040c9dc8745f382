"""Anchors: the heads of every chain at one moment, written to a file the operator keeps.

A chain proves what lies behind its head, not that the head is still the newest: deleting a
case with all its events, or cutting the last events off and setting the case's head back,
leaves chains that verify. An anchor taken earlier catches both: every case and supplier it
names must still be there, and each chain must still pass through the head it recorded
(`capa audit anchor --export FILE`, `capa audit verify --anchor FILE`). Taking one reads only;
nothing on a step's path changes (docs/architecture.md, "Layers": audittrail).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from capaflow.calendars import isoformat
from capaflow.errors import BadInput
from capaflow.models import Case, Supplier

FORMAT = "capaflow-audit-anchor/1"
_cases: Table = Case.__table__  # type: ignore[attr-defined]
_suppliers: Table = Supplier.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Anchor:
    """Heads as they were: case id → (event count, head hash); supplier id → (code, decision
    count, head hash)."""

    at: str
    cases: dict[int, tuple[int, str]]
    suppliers: dict[int, tuple[str, int, str]]


def _digest(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def take_anchor(session: Session, *, now: datetime) -> dict[str, Any]:
    """The anchor document: every head now, and a SHA-256 over all of them (`digest`)."""
    cases = [
        [case_id, count, head] for case_id, count, head in session.connection().execute(
            select(_cases.c.id, _cases.c.event_count, _cases.c.head_hash).order_by(_cases.c.id)
        )
    ]
    suppliers = [
        [supplier_id, code, count, head]
        for supplier_id, code, count, head in session.connection().execute(
            select(_suppliers.c.id, _suppliers.c.code, _suppliers.c.decision_count,
                   _suppliers.c.decision_head).order_by(_suppliers.c.id)
        )
    ]
    body: dict[str, Any] = {"format": FORMAT, "at": isoformat(now), "cases": cases,
                            "suppliers": suppliers}
    return {**body, "digest": _digest(body)}


def _bad(why: str) -> BadInput:
    return BadInput(f"anchor: {why}", field="anchor")


def read_anchor(text: str) -> Anchor:
    """An anchor file's heads; refused (exit 2, field `anchor`) unless intact and well formed."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise _bad("not a JSON anchor file") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _bad(f"not a {FORMAT} file")
    body = {key: value for key, value in document.items() if key != "digest"}
    if document.get("digest") != _digest(body):
        raise _bad("its digest does not match its heads: the file was changed")
    try:
        cases = {int(c): (int(n), str(h)) for c, n, h in document["cases"]}
        suppliers = {int(s): (str(code), int(n), str(h))
                     for s, code, n, h in document["suppliers"]}
        return Anchor(at=str(document["at"]), cases=cases, suppliers=suppliers)
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad("its heads are not well formed") from exc
