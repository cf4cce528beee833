"""Rotation: office-bearers on leave (paused_until) and the day a call-back is due (call_back_on).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two nullable date columns."""
    op.add_column("office_bearers", sa.Column("paused_until", sa.Date(), nullable=True))
    op.add_column("call_reports", sa.Column("call_back_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("call_reports") as batch:
        batch.drop_column("call_back_on")
    with op.batch_alter_table("office_bearers") as batch:
        batch.drop_column("paused_until")
