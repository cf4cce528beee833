"""The daily roll-up of call counts for closed days, and its "closed through" marker.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COUNTED = ("assigned", "delivered", "unreachable", "reported", "pending", "talked", "no_answer", "busy",
           "switched_off", "wrong_number", "not_president", "call_back", "overdue", "asked", "checked",
           "confirmed", "denied")


def upgrade() -> None:
    """Add `daily_counts` and `rollup_marks`; the nightly job fills them."""
    op.create_table(
        "daily_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("office_bearer_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTED),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly_seats.id"],
                                name=op.f("fk_daily_counts_assembly_id_assembly_seats")),
        sa.ForeignKeyConstraint(["office_bearer_id"], ["office_bearers.id"],
                                name=op.f("fk_daily_counts_office_bearer_id_office_bearers")),
        sa.PrimaryKeyConstraint("day", "assembly_id", "office_bearer_id", name=op.f("pk_daily_counts")),
    )
    op.create_index(op.f("ix_daily_counts_office_bearer_id"), "daily_counts", ["office_bearer_id"], unique=False)
    op.create_table(
        "rollup_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("closed_through", sa.Date(), nullable=False),
        sa.Column("computed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_marks")),
    )


def downgrade() -> None:
    """Drop the roll-up."""
    op.drop_table("rollup_marks")
    op.drop_index(op.f("ix_daily_counts_office_bearer_id"), table_name="daily_counts")
    op.drop_table("daily_counts")
