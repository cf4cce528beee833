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
    busy = "busy"
    switched_off = "switched_off"
    wrong_number = "wrong_number"
    not_president = "not_president"
    call_back = "call_back"


FINAL_OUTCOMES = (Outcome.talked, Outcome.wrong_number, Outcome.not_president)
"""Outcomes that close a call: a conversation, or a number that needs a correction before anyone calls again."""

NOT_CONNECTED = (Outcome.no_answer, Outcome.busy, Outcome.switched_off)
"""Attempts that did not connect: the call stays open and is tried again on another day (`outreach.max_attempts`)."""


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
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

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
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("office_bearers.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    president_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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


class CorrectionKind(enum.StrEnum):
    """Why a booth's president needs correcting: the number is wrong, the person no longer holds the post, or
    nobody answered on `outreach.max_attempts` days."""

    wrong_number = "wrong_number"
    not_president = "not_president"
    unreachable = "unreachable"


class CorrectionStatus(enum.StrEnum):
    """Where a correction stands: reported, a new name and number proposed, then confirmed or rejected."""

    open = "open"
    proposed = "proposed"
    confirmed = "confirmed"
    rejected = "rejected"


class Correction(Base):
    """A booth whose president cannot be called as the roster stands, followed until an admin confirms a fix."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id"), index=True)
    booth_president_id: Mapped[int] = mapped_column(ForeignKey("booth_presidents.id"), index=True)
    call_report_id: Mapped[int | None] = mapped_column(ForeignKey("call_reports.id"))
    kind: Mapped[CorrectionKind] = mapped_column(_enum(CorrectionKind, "correction_kind"))
    status: Mapped[CorrectionStatus] = mapped_column(_enum(CorrectionStatus, "correction_status"),
                                                     default=CorrectionStatus.open, index=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("office_bearers.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    proposed_name: Mapped[str | None] = mapped_column(String(120))
    proposed_phone: Mapped[str | None] = mapped_column(String(16))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("office_bearers.id"))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("office_bearers.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    booth: Mapped[Booth] = relationship()
    booth_president: Mapped[BoothPresident] = relationship()
