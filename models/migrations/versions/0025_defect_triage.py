"""The defect triage: each defect keeps its classification, its reason and whether the
quality lead marked it handled (docs/architecture.md, "Defect triage").

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-03 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("defect_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lot_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("classification", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("classification_source", sa.String(length=10),
                                      nullable=True))
        batch_op.add_column(sa.Column("classification_reason", sa.String(length=2000),
                                      nullable=True))
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handled_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("handled_reason", sa.String(length=2000), nullable=True))
        batch_op.create_index(batch_op.f("ix_defect_events_classification"), ["classification"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("defect_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_defect_events_classification"))
        for name in ("handled_reason", "handled_by", "handled_at", "classification_reason",
                     "classification_source", "classification", "lot_size"):
            batch_op.drop_column(name)
