"""Back-checks: a booth president asked whether a call reported as made really took place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.outreach import Assignment
from models.people import BoothPresident


class BackCheck(Base):
    """One reported call chosen for a back-check: asked once (claimed by `asked_at`), answered at most once.

    `called` and `spoke_about_needs` stay None until the booth president answers; `error` says why the
    question could not be delivered (blocked, not started...).
    """

    __tablename__ = "back_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    booth_president_id: Mapped[int] = mapped_column(ForeignKey("booth_presidents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_message_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    called: Mapped[bool | None] = mapped_column(Boolean)
    spoke_about_needs: Mapped[bool | None] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(16), default="telegram", server_default="telegram")
    """How the booth president was asked: `telegram` (the bot's question) or `phone` (a verifier's call)."""
    attempted_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """True when the call was reported as not connected: the question is "did they try to call you?"."""
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("office_bearers.id"), index=True)

    assignment: Mapped[Assignment] = relationship()
    booth_president: Mapped[BoothPresident] = relationship()
