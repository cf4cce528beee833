"""The daily roll-up of call counts: each closed day's `Counts` per assembly seat and office-bearer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class DailyCounts(Base):
    """How one office-bearer's calls of one closed day to booths of one assembly seat went.

    The assembly seat gives the district, region and Lok Sabha seat, so every view but booth rows sums these.
    Written only by `bot.review.rollup.close_days`.
    """

    __tablename__ = "daily_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly_seats.id"), primary_key=True)
    office_bearer_id: Mapped[int] = mapped_column(ForeignKey("office_bearers.id"), primary_key=True, index=True)
    assigned: Mapped[int] = mapped_column(Integer)
    delivered: Mapped[int] = mapped_column(Integer)
    unreachable: Mapped[int] = mapped_column(Integer)
    reported: Mapped[int] = mapped_column(Integer)
    pending: Mapped[int] = mapped_column(Integer)
    talked: Mapped[int] = mapped_column(Integer)
    no_answer: Mapped[int] = mapped_column(Integer)
    busy: Mapped[int] = mapped_column(Integer)
    switched_off: Mapped[int] = mapped_column(Integer)
    wrong_number: Mapped[int] = mapped_column(Integer)
    not_president: Mapped[int] = mapped_column(Integer)
    call_back: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    asked: Mapped[int] = mapped_column(Integer)
    checked: Mapped[int] = mapped_column(Integer)
    confirmed: Mapped[int] = mapped_column(Integer)
    denied: Mapped[int] = mapped_column(Integer)


class RollupMark(Base):
    """How far the roll-up has got: every day up to `closed_through` is in `daily_counts` (one row, id 1)."""

    __tablename__ = "rollup_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    closed_through: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
