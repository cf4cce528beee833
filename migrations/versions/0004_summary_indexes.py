"""Indexes for summaries on a year of history: a call's reports newest first, and a booth's or an
office-bearer's calls by day (each replacing the single-column index it starts with).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the composite indexes and drop the single-column ones they make redundant."""
    op.create_index("ix_call_reports_assignment_id_reported_at", "call_reports",
                    ["assignment_id", "reported_at", "id"], unique=False)
    op.drop_index("ix_call_reports_assignment_id", table_name="call_reports")
    op.create_index("ix_assignments_booth_id_day", "assignments", ["booth_id", "day"], unique=False)
    op.drop_index("ix_assignments_booth_id", table_name="assignments")
    op.create_index("ix_assignments_office_bearer_id_day", "assignments", ["office_bearer_id", "day"], unique=False)
    op.drop_index("ix_assignments_office_bearer_id", table_name="assignments")


def downgrade() -> None:
    """Put the single-column indexes back and drop the composite ones."""
    op.create_index("ix_assignments_office_bearer_id", "assignments", ["office_bearer_id"], unique=False)
    op.drop_index("ix_assignments_office_bearer_id_day", table_name="assignments")
    op.create_index("ix_assignments_booth_id", "assignments", ["booth_id"], unique=False)
    op.drop_index("ix_assignments_booth_id_day", table_name="assignments")
    op.create_index("ix_call_reports_assignment_id", "call_reports", ["assignment_id"], unique=False)
    op.drop_index("ix_call_reports_assignment_id_reported_at", table_name="call_reports")
