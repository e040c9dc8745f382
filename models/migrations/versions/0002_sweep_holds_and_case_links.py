"""Sweep state on deadlines, 100 % inspection holds, links between cases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:09:57.687669
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("lots_required", sa.Integer(), nullable=False),
        sa.Column("lots_remaining", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection_holds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_holds_supplier_part", ["supplier_id", "part"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("linked_case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_cases_linked_case_id_cases", "cases", ["linked_case_id"], ["id"]
        )

    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        # Existing rows are obligations, except the effectiveness rows fixed just below.
        batch_op.add_column(
            sa.Column(
                "kind", sa.String(length=12), nullable=False, server_default="obligation"
            )
        )
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE deadlines SET kind = 'review' WHERE key = 'effectiveness_review'")
    op.execute("UPDATE deadlines SET kind = 'window' WHERE key = 'effectiveness_window'")


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("kind")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("fk_cases_linked_case_id_cases", type_="foreignkey")
        batch_op.drop_column("linked_case_id")

    with op.batch_alter_table("inspection_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_holds_supplier_part")

    op.drop_table("inspection_holds")
