"""Months not graded (scorecards.score and grade nullable, not_graded_reason), and the defect
event a rejected lot's inspection writes marked by its lot (defect_events.inspection_lot_id).

Existing incoming defect events are matched to the rejected lot they were written for: the
same supplier, part, defect code, moment and quantity (`inspect record` copies all five from
the lot). One recorded by hand or imported matches no lot and stays a line defect.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARK_LOTS_OWN_EVENTS = """
UPDATE defect_events SET inspection_lot_id = (
    SELECT MIN(l.id) FROM inspection_lots l
    WHERE l.supplier_id = defect_events.supplier_id
      AND l.part = defect_events.part
      AND l.defect_code = defect_events.defect_code
      AND l.inspected_at = defect_events.occurred_at
      AND l.defects = defect_events.quantity
      AND NOT l.accepted
)
WHERE source = 'incoming'
"""


def upgrade() -> None:
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.alter_column("score", existing_type=sa.Float(), nullable=True)
        batch_op.alter_column("grade", existing_type=sa.String(length=1), nullable=True)
        batch_op.add_column(
            sa.Column("not_graded_reason", sa.String(length=200), nullable=True)
        )
    with op.batch_alter_table("defect_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspection_lot_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_defect_events_inspection_lot_id_inspection_lots", "inspection_lots",
            ["inspection_lot_id"], ["id"],
        )
    op.execute(_MARK_LOTS_OWN_EVENTS)


def downgrade() -> None:
    with op.batch_alter_table("defect_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_defect_events_inspection_lot_id_inspection_lots", type_="foreignkey"
        )
        batch_op.drop_column("inspection_lot_id")
    # A month not graded has no score to keep: its row goes, as before this revision.
    op.execute("DELETE FROM scorecards WHERE grade IS NULL OR score IS NULL")
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.drop_column("not_graded_reason")
        batch_op.alter_column("grade", existing_type=sa.String(length=1), nullable=False)
        batch_op.alter_column("score", existing_type=sa.Float(), nullable=False)
