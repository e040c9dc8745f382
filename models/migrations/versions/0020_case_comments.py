"""The conversation on a case: comments of the quality team (shared or internal) and of the
supplier.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-03 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("author_kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.String(length=5000), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_comments", schema=None) as batch_op:
        batch_op.create_index("ix_case_comments_case_at", ["case_id", "posted_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_case_comments_case_at")
    op.drop_table("case_comments")
