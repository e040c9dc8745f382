"""Three-level checks of work items and the weekly spot-checks of closed service requests:
work items and their checks beside their cases, the spot-check draws and spot-checks.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 15:45:00.000000

New tables only; nothing existing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=True),
        sa.Column("request_case_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["request_case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_items_department"), ["department"],
                              unique=False)
    op.create_table(
        "work_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("checked_by", sa.String(length=100), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=4000), nullable=True),
        sa.Column("failed_items", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("work_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_checks_case_id"), ["case_id"], unique=False)
    op.create_table(
        "spotcheck_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("closed_requests", sa.Integer(), nullable=False),
        sa.Column("drawn", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week"),
    )
    op.create_table(
        "spot_checks",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("request_case_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=True),
        sa.Column("department", sa.String(length=60), nullable=True),
        sa.Column("position", sa.String(length=60), nullable=True),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("standard_version", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("items_total", sa.Integer(), nullable=True),
        sa.Column("items_passed", sa.Integer(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["draw_id"], ["spotcheck_draws.id"]),
        sa.ForeignKeyConstraint(["request_case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
        sa.UniqueConstraint("draw_id", "request_case_id", name="uq_spot_checks_draw_request"),
    )
    with op.batch_alter_table("spot_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spot_checks_draw_id"), ["draw_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_spot_checks_person"), ["person"], unique=False)
        batch_op.create_index(batch_op.f("ix_spot_checks_request_case_id"),
                              ["request_case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_spot_checks_reviewed_at"), ["reviewed_at"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("spot_checks")
    op.drop_table("spotcheck_draws")
    op.drop_table("work_checks")
    op.drop_table("work_items")
