"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 07:51:36.569359
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "lok_sabha_seats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lok_sabha_seats")),
        sa.UniqueConstraint("name", name=op.f("uq_lok_sabha_seats_name")),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )
    op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_districts_region_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("name", name=op.f("uq_districts_name")),
    )
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_districts_region_id"), ["region_id"], unique=False)

    op.create_table(
        "office_bearers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "state_office_bearer",
                "district_incharge",
                "organisation_secretary",
                "admin",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("registered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("unreachable_since", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("unreachable_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_office_bearers_region_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_bearers")),
        sa.UniqueConstraint("phone", name=op.f("uq_office_bearers_phone")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_office_bearers_telegram_user_id")),
    )
    with op.batch_alter_table("office_bearers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_bearers_region_id"), ["region_id"], unique=False)

    op.create_table(
        "assembly_seats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("lok_sabha_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_assembly_seats_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["lok_sabha_id"], ["lok_sabha_seats.id"], name=op.f("fk_assembly_seats_lok_sabha_id_lok_sabha_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assembly_seats")),
        sa.UniqueConstraint("number", name=op.f("uq_assembly_seats_number")),
    )
    with op.batch_alter_table("assembly_seats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assembly_seats_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assembly_seats_lok_sabha_id"), ["lok_sabha_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["office_bearers.id"], name=op.f("fk_audit_log_actor_id_office_bearers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("office_bearer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sending", "sent", "failed", name="delivery_status", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("telegram_message_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_bearer_id"], ["office_bearers.id"], name=op.f("fk_deliveries_office_bearer_id_office_bearers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("day", "office_bearer_id", name=op.f("uq_deliveries_day_office_bearer_id")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_office_bearer_id"), ["office_bearer_id"], unique=False)

    op.create_table(
        "office_bearer_districts",
        sa.Column("office_bearer_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_office_bearer_districts_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["office_bearer_id"],
            ["office_bearers.id"],
            name=op.f("fk_office_bearer_districts_office_bearer_id_office_bearers"),
        ),
        sa.PrimaryKeyConstraint("office_bearer_id", "district_id", name=op.f("pk_office_bearer_districts")),
    )
    op.create_table(
        "mandals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"], ["assembly_seats.id"], name=op.f("fk_mandals_assembly_id_assembly_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandals")),
        sa.UniqueConstraint("assembly_id", "name", name=op.f("uq_mandals_assembly_id_name")),
    )
    op.create_table(
        "booths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mandal_id", sa.Integer(), nullable=False),
        sa.Column(
            "strength",
            sa.Enum("strong", "moderate", "weak", name="strength", native_enum=False, length=16),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["assembly_id"], ["assembly_seats.id"], name=op.f("fk_booths_assembly_id_assembly_seats")
        ),
        sa.ForeignKeyConstraint(["mandal_id"], ["mandals.id"], name=op.f("fk_booths_mandal_id_mandals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booths")),
        sa.UniqueConstraint("assembly_id", "number", name=op.f("uq_booths_assembly_id_number")),
    )
    with op.batch_alter_table("booths", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booths_mandal_id"), ["mandal_id"], unique=False)

    op.create_table(
        "booth_presidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("phone_reported_wrong_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["booth_id"], ["booths.id"], name=op.f("fk_booth_presidents_booth_id_booths")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_presidents")),
        sa.UniqueConstraint("phone", name=op.f("uq_booth_presidents_phone")),
    )
    with op.batch_alter_table("booth_presidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_presidents_booth_id"), ["booth_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("office_bearer_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("booth_president_id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["booth_id"], ["booths.id"], name=op.f("fk_assignments_booth_id_booths")),
        sa.ForeignKeyConstraint(
            ["booth_president_id"],
            ["booth_presidents.id"],
            name=op.f("fk_assignments_booth_president_id_booth_presidents"),
        ),
        sa.ForeignKeyConstraint(
            ["office_bearer_id"], ["office_bearers.id"], name=op.f("fk_assignments_office_bearer_id_office_bearers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("day", "booth_president_id", name=op.f("uq_assignments_day_booth_president_id")),
        sa.UniqueConstraint("day", "office_bearer_id", "slot", name=op.f("uq_assignments_day_office_bearer_id_slot")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_booth_id"), ["booth_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_booth_president_id"), ["booth_president_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_office_bearer_id"), ["office_bearer_id"], unique=False)

    op.create_table(
        "call_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "talked",
                "no_answer",
                "switched_off",
                "wrong_number",
                "call_back",
                name="outcome",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "wellbeing", sa.Enum("well", "concern", name="wellbeing", native_enum=False, length=24), nullable=True
        ),
        sa.Column(
            "booth_position",
            sa.Enum("strong", "moderate", "weak", name="strength", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reported_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_call_reports_assignment_id_assignments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_reports")),
    )
    with op.batch_alter_table("call_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_reports_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_reports_reported_at"), ["reported_at"], unique=False)

    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_report_id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "voter_list",
                "booth_committee",
                "campaign_material",
                "leader_visit",
                "local_issue",
                "other",
                name="need_category",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "in_progress", "resolved", name="need_status", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["booth_id"], ["booths.id"], name=op.f("fk_needs_booth_id_booths")),
        sa.ForeignKeyConstraint(
            ["call_report_id"], ["call_reports.id"], name=op.f("fk_needs_call_report_id_call_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
    )
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_needs_booth_id"), ["booth_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_needs_call_report_id"), ["call_report_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_needs_call_report_id"))
        batch_op.drop_index(batch_op.f("ix_needs_booth_id"))

    op.drop_table("needs")
    with op.batch_alter_table("call_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_reports_reported_at"))
        batch_op.drop_index(batch_op.f("ix_call_reports_assignment_id"))

    op.drop_table("call_reports")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_office_bearer_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_day"))
        batch_op.drop_index(batch_op.f("ix_assignments_booth_president_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_booth_id"))

    op.drop_table("assignments")
    with op.batch_alter_table("booth_presidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_presidents_booth_id"))

    op.drop_table("booth_presidents")
    with op.batch_alter_table("booths", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booths_mandal_id"))

    op.drop_table("booths")
    op.drop_table("mandals")
    op.drop_table("office_bearer_districts")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_office_bearer_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_day"))

    op.drop_table("deliveries")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))

    op.drop_table("audit_log")
    with op.batch_alter_table("assembly_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assembly_seats_lok_sabha_id"))
        batch_op.drop_index(batch_op.f("ix_assembly_seats_district_id"))

    op.drop_table("assembly_seats")
    with op.batch_alter_table("office_bearers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_bearers_region_id"))

    op.drop_table("office_bearers")
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_districts_region_id"))

    op.drop_table("districts")
    op.drop_table("regions")
    op.drop_table("lok_sabha_seats")
