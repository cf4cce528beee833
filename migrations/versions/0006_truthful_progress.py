"""Truthful progress: second attempts, corrections, invitations for booth presidents, verifiers' checks, and
needs with an owner and a due date.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the corrections table, the attempt of an assignment, and the new columns of back-checks, booth
    presidents and needs."""
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("booth_president_id", sa.Integer(), nullable=False),
        sa.Column("call_report_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "wrong_number", "not_president", "unreachable", name="correction_kind", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open", "proposed", "confirmed", "rejected", name="correction_status", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("proposed_name", sa.String(length=120), nullable=True),
        sa.Column("proposed_phone", sa.String(length=16), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["booth_id"], ["booths.id"], name=op.f("fk_corrections_booth_id_booths")),
        sa.ForeignKeyConstraint(
            ["booth_president_id"],
            ["booth_presidents.id"],
            name=op.f("fk_corrections_booth_president_id_booth_presidents"),
        ),
        sa.ForeignKeyConstraint(
            ["call_report_id"], ["call_reports.id"], name=op.f("fk_corrections_call_report_id_call_reports")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["office_bearers.id"], name=op.f("fk_corrections_decided_by_id_office_bearers")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["office_bearers.id"], name=op.f("fk_corrections_proposed_by_id_office_bearers")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["office_bearers.id"], name=op.f("fk_corrections_reported_by_id_office_bearers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrections_booth_id"), ["booth_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_booth_president_id"), ["booth_president_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_status"), ["status"], unique=False)

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("back_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=16), server_default="telegram", nullable=False))
        batch_op.add_column(sa.Column("attempted_only", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("verifier_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_back_checks_verifier_id"), ["verifier_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_back_checks_verifier_id_office_bearers"), "office_bearers", ["verifier_id"], ["id"]
        )

    with op.batch_alter_table("booth_presidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unreachable_since", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("invite_token", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_booth_presidents_invite_token"), ["invite_token"])

    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("president_told_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_needs_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_needs_owner_id_office_bearers"), "office_bearers", ["owner_id"], ["id"]
        )


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_needs_owner_id_office_bearers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_needs_owner_id"))
        batch_op.drop_column("president_told_at")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("due_on")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("booth_presidents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_booth_presidents_invite_token"), type_="unique")
        batch_op.drop_column("invite_token")
        batch_op.drop_column("unreachable_since")

    with op.batch_alter_table("back_checks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_back_checks_verifier_id_office_bearers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_back_checks_verifier_id"))
        batch_op.drop_column("verifier_id")
        batch_op.drop_column("attempted_only")
        batch_op.drop_column("method")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("attempt")

    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrections_status"))
        batch_op.drop_index(batch_op.f("ix_corrections_booth_president_id"))
        batch_op.drop_index(batch_op.f("ix_corrections_booth_id"))

    op.drop_table("corrections")
