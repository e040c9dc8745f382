"""Import keys on defect events: importing the same CSV file again adds nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("defect_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_defect_events_import_key", ["import_key"])


def downgrade() -> None:
    with op.batch_alter_table("defect_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_defect_events_import_key", type_="unique")
        batch_op.drop_column("import_key")
