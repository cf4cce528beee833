"""What the bot keeps between updates, so that a restart loses nothing: conversation steps and user data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ConversationState(Base):
    """The step one conversation (`name`, e.g. the call report) has reached for one chat and user (`key`)."""

    __tablename__ = "conversation_states"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[int] = mapped_column(Integer)


class UserState(Base):
    """What the bot holds for one Telegram user between updates (the report being put together), as JSON."""

    __tablename__ = "user_states"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
