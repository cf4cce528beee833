"""The daily work: assignments, their delivery, call reports, needs and the audit trail."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.geography import STRENGTH_ENUM, Booth, Strength
from models.people import BoothPresident, OfficeBearer


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column stored as its string values."""
    return Enum(cls, name=name, native_enum=False, length=24,
                values_callable=lambda members: [m.value for m in members])


class DeliveryStatus(enum.StrEnum):
    """Where one morning message is on its way to an office-bearer."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class Outcome(enum.StrEnum):
    """What happened when the office-bearer called."""

    talked = "talked"
    no_answer = "no_answer"
    switched_off = "switched_off"
    wrong_number = "wrong_number"
    call_back = "call_back"


FINAL_OUTCOMES = (Outcome.talked, Outcome.wrong_number)


class Wellbeing(enum.StrEnum):
    """How the booth president and family are doing (हालचाल)."""

    well = "well"
    concern = "concern"


class NeedCategory(enum.StrEnum):
    """What a booth says it needs to get stronger."""

    voter_list = "voter_list"
    booth_committee = "booth_committee"
    campaign_material = "campaign_material"
    leader_visit = "leader_visit"
    local_issue = "local_issue"
    other = "other"


class NeedStatus(enum.StrEnum):
    """How far a raised need has been followed up."""

    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"


class Delivery(Base):
    """The morning message to one office-bearer for one day: claimed, then sent once."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("day", "office_bearer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    office_bearer_id: Mapped[int] = mapped_column(ForeignKey("office_bearers.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.pending)
    telegram_message_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    office_bearer: Mapped[OfficeBearer] = relationship()


class Assignment(Base):
    """One booth president given to one office-bearer to call on one day."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("day", "office_bearer_id", "slot"),
        UniqueConstraint("day", "booth_president_id"),
        Index("ix_assignments_office_bearer_id_day", "office_bearer_id", "day"),
        Index("ix_assignments_booth_id_day", "booth_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    office_bearer_id: Mapped[int] = mapped_column(ForeignKey("office_bearers.id"))
    slot: Mapped[int] = mapped_column(Integer)
    booth_president_id: Mapped[int] = mapped_column(ForeignKey("booth_presidents.id"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    office_bearer: Mapped[OfficeBearer] = relationship()
    booth_president: Mapped[BoothPresident] = relationship()
    booth: Mapped[Booth] = relationship()
    reports: Mapped[list[CallReport]] = relationship(back_populates="assignment",
                                                     order_by="CallReport.reported_at")


class CallReport(Base):
    """What the office-bearer reported about one call attempt; the latest one counts."""

    __tablename__ = "call_reports"
    __table_args__ = (Index("ix_call_reports_assignment_id_reported_at", "assignment_id", "reported_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "outcome"))
    wellbeing: Mapped[Wellbeing | None] = mapped_column(_enum(Wellbeing, "wellbeing"))
    booth_position: Mapped[Strength | None] = mapped_column(STRENGTH_ENUM)
    notes: Mapped[str | None] = mapped_column(Text)
    call_back_on: Mapped[date | None] = mapped_column(Date)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    assignment: Mapped[Assignment] = relationship(back_populates="reports")
    needs: Mapped[list[Need]] = relationship(back_populates="call_report")


class Need(Base):
    """Something a booth asked for on a call, followed up until resolved."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_report_id: Mapped[int] = mapped_column(ForeignKey("call_reports.id"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id"), index=True)
    category: Mapped[NeedCategory] = mapped_column(_enum(NeedCategory, "need_category"))
    detail: Mapped[str | None] = mapped_column(Text)
    status: Mapped[NeedStatus] = mapped_column(_enum(NeedStatus, "need_status"), default=NeedStatus.open)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    call_report: Mapped[CallReport] = relationship(back_populates="needs")


class AuditEntry(Base):
    """Who saw, exported or changed whose personal data, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("office_bearers.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON)
