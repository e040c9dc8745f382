"""Delivery documents on each inspected lot: outgoing report, certificates, production lot.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:10:00.000000

All nullable: a lot recorded before (or without) them has its documents "not recorded".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inspection_lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outgoing_report", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("certificates", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("production_lot", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("out_of_order", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspection_lots", schema=None) as batch_op:
        batch_op.drop_column("out_of_order")
        batch_op.drop_column("production_lot")
        batch_op.drop_column("certificates")
        batch_op.drop_column("outgoing_report")
