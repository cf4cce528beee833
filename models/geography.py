"""The organisation's map: regions, districts, Lok Sabha seats, assembly seats, mandals and booths."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class Strength(enum.StrEnum):
    """How the party stands in a booth."""

    strong = "strong"
    moderate = "moderate"
    weak = "weak"


STRENGTH_ENUM = Enum(Strength, name="strength", native_enum=False, length=16,
                     values_callable=lambda members: [m.value for m in members])


class Region(Base):
    """One of the organisational regions (क्षेत्र)."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    districts: Mapped[list[District]] = relationship(back_populates="region")


class District(Base):
    """An organisational district (जिला), inside one region."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)

    region: Mapped[Region] = relationship(back_populates="districts")


class LokSabhaSeat(Base):
    """A Lok Sabha constituency; focus seats are named in the configuration."""

    __tablename__ = "lok_sabha_seats"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class AssemblySeat(Base):
    """A Vidhan Sabha seat (विधान सभा), known by its number."""

    __tablename__ = "assembly_seats"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(80))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    lok_sabha_id: Mapped[int] = mapped_column(ForeignKey("lok_sabha_seats.id"), index=True)

    district: Mapped[District] = relationship()
    lok_sabha: Mapped[LokSabhaSeat] = relationship()


class Mandal(Base):
    """A mandal (मंडल), a group of booths inside one assembly seat."""

    __tablename__ = "mandals"
    __table_args__ = (UniqueConstraint("assembly_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly_seats.id"))
    name: Mapped[str] = mapped_column(String(120))


class Booth(Base):
    """A polling booth, known by its assembly seat and booth number."""

    __tablename__ = "booths"
    __table_args__ = (UniqueConstraint("assembly_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly_seats.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    mandal_id: Mapped[int] = mapped_column(ForeignKey("mandals.id"), index=True)
    strength: Mapped[Strength | None] = mapped_column(STRENGTH_ENUM)

    assembly: Mapped[AssemblySeat] = relationship()
    mandal: Mapped[Mandal] = relationship()
