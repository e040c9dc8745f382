"""The monthly review: the figures kept when a month is closed, and the PDCA cycles that
indicators missing their targets opened.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 15:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=True),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "department", "indicator", name="uq_review_figures_month"),
    )
    with op.batch_alter_table("review_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_figures_month"), ["month"], unique=False)
    op.create_table(
        "indicator_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("earlier_case_id", sa.Integer(), nullable=True),
        sa.Column("act_failed", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["earlier_case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
        sa.UniqueConstraint("department", "indicator", "month",
                            name="uq_indicator_cycles_month"),
    )
    with op.batch_alter_table("indicator_cycles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_cycles_department"), ["department"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator_cycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_cycles_department"))
    op.drop_table("indicator_cycles")
    with op.batch_alter_table("review_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_figures_month"))
    op.drop_table("review_figures")
