"""Room for longer lifecycle names (cause_report).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column(
            "lifecycle", existing_type=sa.String(length=10), type_=sa.String(length=20),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column(
            "lifecycle", existing_type=sa.String(length=20), type_=sa.String(length=10),
            existing_nullable=False,
        )
