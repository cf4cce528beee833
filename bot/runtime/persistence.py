"""python-telegram-bot persistence in the project's own database, so that a restart loses nothing.

Only what a restart must keep is stored: the step each person has reached in a persistent conversation (the
call report) and their user data (the report being put together, as JSON that can be rebuilt, never a
pickle). Bot data holds live services and is never stored; chat data and callback data are not used.
Changes are written every `update_interval` seconds (one by default), and on a clean shutdown.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import BasePersistence, PersistenceInput

from bot.db import SessionFactory, session_scope
from bot.outreach.reports import NewPresident, ReportDraft
from models import ConversationState, NeedCategory, Outcome, Strength, UserState, Wellbeing

Data = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
DRAFT_TAG = "report_draft"


def draft_to_json(draft: ReportDraft) -> dict[str, Any]:
    """A report draft as plain JSON values (enums by value, needs sorted)."""
    return {
        "assignment_id": draft.assignment_id,
        "president_name": draft.president_name,
        "outcome": draft.outcome.value if draft.outcome else None,
        "wellbeing": draft.wellbeing.value if draft.wellbeing else None,
        "position": draft.position.value if draft.position else None,
        "needs": sorted(need.value for need in draft.needs),
        "need_detail": draft.need_detail,
        "notes": draft.notes,
        "call_back_in_days": draft.call_back_in_days,
        "new_president": ({"name": draft.new_president.name, "phone": draft.new_president.phone}
                          if draft.new_president else None),
        "attempt": draft.attempt,
    }


def draft_from_json(stored: dict[str, Any]) -> ReportDraft:
    """The report draft `draft_to_json` stored."""
    return ReportDraft(
        assignment_id=stored["assignment_id"],
        president_name=stored["president_name"],
        outcome=Outcome(stored["outcome"]) if stored["outcome"] else None,
        wellbeing=Wellbeing(stored["wellbeing"]) if stored["wellbeing"] else None,
        position=Strength(stored["position"]) if stored["position"] else None,
        needs=frozenset(NeedCategory(need) for need in stored["needs"]),
        need_detail=stored["need_detail"],
        notes=stored["notes"],
        call_back_in_days=stored["call_back_in_days"],
        new_president=NewPresident(**stored["new_president"]) if stored.get("new_president") else None,
        attempt=stored.get("attempt", 1),
    )


def user_data_to_json(data: Data) -> dict[str, Any]:
    """A user's data as JSON: report drafts tagged, every other value already plain JSON (else TypeError)."""
    encoded = {str(key): ({DRAFT_TAG: draft_to_json(value)} if isinstance(value, ReportDraft) else value)
               for key, value in data.items()}
    json.dumps(encoded)
    return encoded


def user_data_from_json(stored: dict[str, Any]) -> Data:
    """The user data `user_data_to_json` stored, drafts rebuilt."""
    return {key: (draft_from_json(value[DRAFT_TAG]) if isinstance(value, dict) and DRAFT_TAG in value else value)
            for key, value in stored.items()}


def _upsert(session: AsyncSession, model: type[Any], values: dict[str, Any], keys: list[str]) -> Any:
    """`INSERT … ON CONFLICT (keys) DO UPDATE` for the session's database."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(model).values(**values)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in values if name not in keys})


class DatabasePersistence(BasePersistence[Data, Data, Data]):
    """Conversations and user data in the `conversation_states` and `user_states` tables.

    Each read or write is its own unit of work, so a failed write loses one change, not the batch.
    """

    def __init__(self, sessions: SessionFactory, *, update_interval: float = 1.0) -> None:
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False),
                         update_interval=update_interval)
        self._sessions = sessions

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        """Every stored step of the conversation `name`, by its key (chat and user ids)."""
        async with session_scope(self._sessions) as session:
            rows = (await session.execute(select(ConversationState).where(ConversationState.name == name))).scalars()
            return {tuple(json.loads(row.key)): row.state for row in rows}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        """Store the step a conversation reached, or forget it when it ended (`new_state` None)."""
        stored_key = json.dumps(list(key))
        async with session_scope(self._sessions) as session:
            if new_state is None:
                await session.execute(delete(ConversationState).where(ConversationState.name == name,
                                                                      ConversationState.key == stored_key))
            elif isinstance(new_state, int):
                values = {"name": name, "key": stored_key, "state": new_state}
                await session.execute(_upsert(session, ConversationState, values, ["name", "key"]))
            else:
                raise TypeError(f"conversation {name!r}: only integer states can be stored")

    async def get_user_data(self) -> dict[int, Data]:
        """Every stored user's data, drafts rebuilt."""
        async with session_scope(self._sessions) as session:
            rows = (await session.execute(select(UserState))).scalars()
            return {row.user_id: user_data_from_json(row.data) for row in rows}

    async def update_user_data(self, user_id: int, data: Data) -> None:
        """Store a user's data; an empty dict removes the row."""
        if not data:
            await self.drop_user_data(user_id)
            return
        async with session_scope(self._sessions) as session:
            values = {"user_id": user_id, "data": user_data_to_json(data)}
            await session.execute(_upsert(session, UserState, values, ["user_id"]))

    async def drop_user_data(self, user_id: int) -> None:
        """Forget a user's data."""
        async with session_scope(self._sessions) as session:
            await session.execute(delete(UserState).where(UserState.user_id == user_id))

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Nothing to do: this process is the only writer, so its user data is never behind the database."""

    async def get_chat_data(self) -> dict[int, Data]:
        """Chat data is not stored (required by BasePersistence, never called with chat_data off)."""
        return {}

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """Chat data is not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Chat data is not stored."""

    async def get_bot_data(self) -> Data:
        """Bot data (live services) is not stored."""
        return {}

    async def update_bot_data(self, data: Data) -> None:
        """Bot data (live services) is not stored."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Bot data (live services) is not stored."""

    async def get_callback_data(self) -> Any:
        """Callback data is not stored: buttons carry their own short data."""
        return None

    async def update_callback_data(self, data: Any) -> None:
        """Callback data is not stored."""

    async def flush(self) -> None:
        """Nothing is buffered: every change was written when PTB handed it over."""
