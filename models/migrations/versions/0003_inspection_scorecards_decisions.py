"""incoming inspection, scorecards, supplier decisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 08:47:13.309465
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supplier_id", "month", name="uq_scorecards_month"),
    )
    op.create_table(
        "supplier_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supplier_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_decisions_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "supplier_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("attitude", sa.String(length=30), nullable=False),
        sa.Column("rated_by", sa.String(length=100), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supplier_id", "month", name="uq_supplier_ratings_month"),
    )
    op.create_table(
        "switching_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("recent", sa.JSON(), nullable=False),
        sa.Column("consecutive_accepted", sa.Integer(), nullable=False),
        sa.Column("switching_score", sa.Integer(), nullable=False),
        sa.Column("rejected_on_tightened", sa.Integer(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supplier_id", "part", name="uq_switching_states_part"),
    )
    op.create_table(
        "supplier_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supplier_id", "month", "rule", name="uq_supplier_escalations_rule"),
    )
    op.create_table(
        "inspection_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.Column("lot", sa.String(length=100), nullable=False),
        sa.Column("lot_size", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("defects", sa.Integer(), nullable=False),
        sa.Column("defect_code", sa.String(length=100), nullable=True),
        sa.Column("aql", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=True),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("acceptance_number", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("hold_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"],
            ["inspection_holds.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supplier_id", "part", "lot", name="uq_inspection_lots_lot"),
    )
    with op.batch_alter_table("inspection_lots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_lots_supplier_inspected", ["supplier_id", "inspected_at"], unique=False
        )

    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blacklisted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("blacklist_reason", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_column("blacklist_reason")
        batch_op.drop_column("blacklisted_at")

    with op.batch_alter_table("inspection_lots", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_lots_supplier_inspected")

    op.drop_table("inspection_lots")
    op.drop_table("supplier_escalations")
    op.drop_table("switching_states")
    op.drop_table("supplier_ratings")
    with op.batch_alter_table("supplier_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_decisions_supplier_id"))

    op.drop_table("supplier_decisions")
    op.drop_table("scorecards")
