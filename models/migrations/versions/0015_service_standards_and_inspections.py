"""Service standards and quality inspections: standard versions and their items, inspection
rounds beside their cases with their results, and the findings of failed items.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 15:25:39.939003

New tables only; nothing existing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=False),
        sa.Column("position", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department", "position", "version", name="uq_standards_version"),
    )
    op.create_table(
        "standard_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("factor", sa.String(length=20), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("standard_id", "code", name="uq_standard_items_code"),
    )
    with op.batch_alter_table("standard_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standard_items_standard_id"), ["standard_id"], unique=False
        )

    op.create_table(
        "inspection_rounds",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=False),
        sa.Column("position", sa.String(length=60), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_for", sa.String(length=7), nullable=True),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
        ),
        sa.PrimaryKeyConstraint("case_id"),
        sa.UniqueConstraint(
            "department", "position", "planned_for", "slot", name="uq_inspection_rounds_plan"
        ),
    )
    with op.batch_alter_table("inspection_rounds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_rounds_recorded", ["department", "recorded_at"], unique=False
        )

    op.create_table(
        "inspection_findings",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("factor", sa.String(length=20), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdca_case_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pdca_case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["inspection_rounds.case_id"],
        ),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("inspection_findings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_findings_item", ["department", "item_code", "found_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_findings_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "round_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["inspection_rounds.case_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "item_code", name="uq_round_results_item"),
    )
    with op.batch_alter_table("round_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_results_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("round_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_results_round_id"))

    op.drop_table("round_results")
    with op.batch_alter_table("inspection_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_findings_round_id"))
        batch_op.drop_index("ix_inspection_findings_item")

    op.drop_table("inspection_findings")
    with op.batch_alter_table("inspection_rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_rounds_recorded")

    op.drop_table("inspection_rounds")
    with op.batch_alter_table("standard_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_items_standard_id"))

    op.drop_table("standard_items")
    op.drop_table("standards")
