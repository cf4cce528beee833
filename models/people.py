"""People: booth presidents who are called, and office-bearers who call them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.geography import Booth, District, Region


class Role(enum.StrEnum):
    """What an office-bearer does with the bot."""

    state_office_bearer = "state_office_bearer"
    district_incharge = "district_incharge"
    organisation_secretary = "organisation_secretary"
    admin = "admin"
    verifier = "verifier"


CALLER_ROLES = (Role.state_office_bearer, Role.district_incharge)


class BoothPresident(Base):
    """The president of one booth; their phone number is personal data.

    A booth president may register with the bot (`telegram_user_id`) to be asked, now and then, whether
    a reported call really took place; they see no roster data.
    """

    __tablename__ = "booth_presidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone_reported_wrong_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invite_token: Mapped[str | None] = mapped_column(String(32), unique=True)

    booth: Mapped[Booth] = relationship()


class OfficeBearer(Base):
    """A registered or expected user of the bot: caller, secretary or admin."""

    __tablename__ = "office_bearers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, length=32,
             values_callable=lambda members: [m.value for m in members])
    )
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    paused_until: Mapped[date | None] = mapped_column(Date)

    region: Mapped[Region | None] = relationship()
    districts: Mapped[list[District]] = relationship(secondary="office_bearer_districts")


class OfficeBearerDistrict(Base):
    """A district placed in the charge of an office-bearer."""

    __tablename__ = "office_bearer_districts"

    office_bearer_id: Mapped[int] = mapped_column(ForeignKey("office_bearers.id"), primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), primary_key=True)
