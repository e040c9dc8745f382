"""Supplier decisions on a hash chain: each decision's place, the hash before it and its own;
each supplier's newest decision hash and count.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:50:00.000000

The decisions already recorded are chained here, per supplier in the order they were written
(by id), so `capa audit verify` checks them from the first on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from capaflow.calendars import isoformat
from capaflow.models.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def _hash(row: Any, seq: int, prev_hash: str) -> str:
    # A frozen copy of audittrail.decisions.decision_hash as of this revision.
    payload = json.dumps(
        {
            "supplier_id": row.supplier_id,
            "seq": seq,
            "decision": row.decision,
            "reason": row.reason,
            "actor": row.actor,
            "at": isoformat(row.at),
            "signature": row.signature,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("supplier_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), server_default="",
                                      nullable=False))
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_head", sa.String(length=64), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("decision_count", sa.Integer(), server_default="0",
                                      nullable=False))
    decisions = sa.table(
        "supplier_decisions",
        sa.column("id", sa.Integer()), sa.column("supplier_id", sa.Integer()),
        sa.column("decision", sa.String()), sa.column("reason", sa.String()),
        sa.column("actor", sa.String()), sa.column("at", UTCDateTime()),
        sa.column("signature", sa.JSON()), sa.column("seq", sa.Integer()),
        sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()),
    )
    suppliers = sa.table(
        "suppliers", sa.column("id", sa.Integer()), sa.column("decision_head", sa.String()),
        sa.column("decision_count", sa.Integer()),
    )
    bind = op.get_bind()
    heads: dict[int, tuple[int, str]] = {}
    rows = bind.execute(sa.select(decisions).order_by(decisions.c.supplier_id, decisions.c.id))
    for row in list(rows):
        count, head = heads.get(row.supplier_id, (0, GENESIS))
        digest = _hash(row, count + 1, head)
        bind.execute(
            decisions.update().where(decisions.c.id == row.id)
            .values(seq=count + 1, prev_hash=head, hash=digest)
        )
        heads[row.supplier_id] = (count + 1, digest)
    for supplier_id, (count, head) in heads.items():
        bind.execute(
            suppliers.update().where(suppliers.c.id == supplier_id)
            .values(decision_count=count, decision_head=head)
        )


def downgrade() -> None:
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_column("decision_count")
        batch_op.drop_column("decision_head")
    with op.batch_alter_table("supplier_decisions", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
