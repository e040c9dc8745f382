"""Edits and extensions: a supplier's requests for more time on an obligation, and how many
times each deadline was extended.

Revision ID: 0022
Revises: 0023
Create Date: 2026-12-03 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("open_deadline_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("due_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["deadline_id"], ["deadlines.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_deadline_id"),
    )
    with op.batch_alter_table("deadline_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_extensions_case_id"), ["case_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_extensions_deadline_id"),
                              ["deadline_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadline_extensions_status"), ["status"],
                              unique=False)
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extensions", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("extensions")
    with op.batch_alter_table("deadline_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_extensions_status"))
        batch_op.drop_index(batch_op.f("ix_deadline_extensions_deadline_id"))
        batch_op.drop_index(batch_op.f("ix_deadline_extensions_case_id"))
    op.drop_table("deadline_extensions")
