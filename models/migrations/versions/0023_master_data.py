"""Master data: the roles a notice reached nobody at.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-03 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unreached", sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_unreached"), ["unreached"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_unreached"))
        batch_op.drop_column("unreached")
