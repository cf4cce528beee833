"""Back-checks: booth presidents who register with the bot, and the calls they are asked about.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the booth president's Telegram account and language, and the back_checks table."""
    with op.batch_alter_table("booth_presidents") as batch:
        batch.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("registered_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(batch.f("uq_booth_presidents_telegram_user_id"), ["telegram_user_id"])
    op.create_table(
        "back_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("booth_president_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("asked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("telegram_message_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("called", sa.Boolean(), nullable=True),
        sa.Column("spoke_about_needs", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_back_checks_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["booth_president_id"],
            ["booth_presidents.id"],
            name=op.f("fk_back_checks_booth_president_id_booth_presidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_back_checks")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_back_checks_assignment_id")),
    )
    op.create_index(op.f("ix_back_checks_booth_president_id"), "back_checks", ["booth_president_id"], unique=False)


def downgrade() -> None:
    """Drop the table and the columns again."""
    op.drop_index(op.f("ix_back_checks_booth_president_id"), table_name="back_checks")
    op.drop_table("back_checks")
    with op.batch_alter_table("booth_presidents") as batch:
        batch.drop_constraint(batch.f("uq_booth_presidents_telegram_user_id"), type_="unique")
        batch.drop_column("registered_at")
        batch.drop_column("language")
        batch.drop_column("telegram_user_id")
