"""Emergency incidents beside their cases, and the steps of their contingency plans.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 15:50:00

New tables only; nothing existing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("department", sa.String(length=60), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.String(length=4000), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("cause", sa.String(length=4000), nullable=True),
        sa.Column("factor", sa.String(length=20), nullable=True),
        sa.Column("corrective_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["corrective_case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_type_drill_declared",
                              ["type", "drill", "declared_at"], unique=False)
        batch_op.create_index("ix_incidents_declared", ["declared_at"], unique=False)
    op.create_table(
        "incident_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["incidents.case_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number", name="uq_incident_steps_number"),
    )
    with op.batch_alter_table("incident_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_steps_case_id"), ["case_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_steps_case_id"))
    op.drop_table("incident_steps")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_declared")
        batch_op.drop_index("ix_incidents_type_drill_declared")
    op.drop_table("incidents")
