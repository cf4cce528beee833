"""The updates a bot receives: users' messages, edits and button presses queued, and served by ``getUpdates``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from bot.sandbox.chats import CallbackQueryRecord, FakeChat, FakeMessage, UpdateTiming, describe_user_content
from bot.sandbox.errors import ApiError
from bot.sandbox.params import ApiRequest, as_int
from bot.sandbox.state import SandboxState
from bot.sandbox.users import FakeUser, text_content

__all__ = ["UpdateFeed"]

# Methods by which the bot visibly replies in a chat (the end of an update's latency, see UpdateTiming).
REPLY_METHODS = frozenset({
    "sendMessage", "sendDocument", "sendPhoto", "sendChatAction", "editMessageText", "editMessageReplyMarkup",
    "deleteMessage", "answerCallbackQuery",
})


class UpdateFeed(SandboxState):
    """Queues what users do as updates, notes when the bot replies to each, and serves them by long polling."""

    async def send_group_text(
        self, chat_id: int, user: FakeUser, text: str, *, title: str = "Test group"
    ) -> dict[str, Any]:
        """``user`` writes ``text`` in a group chat (a supergroup if the id starts with -100); returns the update."""
        if chat_id not in self.chats:
            chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
            self.chats[chat_id] = FakeChat(id=chat_id, type=chat_type, title=title)
        return await self.queue_message(chat_id, user, text_content(text))

    async def queue_message(self, chat_id: int, user: FakeUser, content: dict[str, Any]) -> dict[str, Any]:
        """Queue an update: a message from ``user`` in ``chat_id`` with ``content`` (e.g. ``{"location": ...}``).

        Writing to the bot starts the chat and lifts a block, as on Telegram. Returns the update.
        """
        chat = self.chats[chat_id]
        self._user_active(chat, user)
        message = {
            "message_id": chat.take_message_id(),
            "from": user.to_api(),
            "chat": chat.to_api(),
            "date": int(time.time()),
            **content,
        }
        chat.incoming[message["message_id"]] = message
        chat.log.append(f"{user.display_name}: {describe_user_content(content)}")
        return await self._queue_update({"message": message})

    async def queue_edit(self, chat_id: int, user: FakeUser, message_id: int, text: str) -> dict[str, Any]:
        """Queue an ``edited_message`` update: ``user`` changed their earlier message ``message_id`` to ``text``."""
        chat = self.chats[chat_id]
        original = chat.incoming[message_id]
        edited = {**{k: v for k, v in original.items() if k != "entities"}, **text_content(text),
                  "edit_date": int(time.time())}
        chat.incoming[message_id] = edited
        chat.log.append(f"{user.display_name}: [edited #{message_id}] {text}")
        return await self._queue_update({"edited_message": edited})

    async def queue_callback_query(self, user: FakeUser, message: FakeMessage, data: str) -> str:
        """Queue a callback query: ``user`` pressed the button with ``data`` on ``message``. Returns the query id."""
        query_id = str(next(self._query_ids))
        self.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user.user_id, message.chat_id, message.message_id, data
        )
        self._user_active(message.chat, user)
        label = next((text for row in message.buttons for text, value in row if value == data), data)
        message.chat.log.append(f"{user.display_name}: [pressed «{label}» → {data} on #{message.message_id}]")
        await self._queue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_api(),
                    "message": message.to_api(self.bot_user),
                    "chat_instance": str(message.chat_id),
                    "data": data,
                }
            }
        )
        return query_id

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not yet confirmed (getUpdates offset) or received (webhook)."""
        return list(self._updates)

    def _user_active(self, chat: FakeChat, user: FakeUser) -> None:
        chat.started = True
        if chat.type == "private":
            self.blocked.discard(user.user_id)

    def _note_reply(self, method: str, params: dict[str, Any], arrived: float) -> None:
        """Mark the update this request replies to (see ``UpdateTiming``) as replied at ``arrived``."""
        found = self._handlers.get(method.lower())
        if found is None or found[0] not in REPLY_METHODS:
            return
        if found[0] == "answerCallbackQuery":
            query = self.callback_queries.get(str(params.get("callback_query_id")))
            if query is None:
                return
            chat_id, query_id = query.chat_id, query.id
        else:
            try:
                chat_id, query_id = int(params["chat_id"]), None
            except (KeyError, TypeError, ValueError):
                return
        awaiting = self._awaiting_reply.get(chat_id, [])
        for index, timing in enumerate(awaiting):
            if query_id is None or timing.callback_query_id == query_id:
                timing.replied_at, timing.reply_method = arrived, found[0]
                del awaiting[index]
                return

    async def _queue_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        self.last_update_id = update["update_id"]
        query = payload.get("callback_query")
        message = query["message"] if query else payload.get("message")
        if message is not None:
            timing = UpdateTiming(update["update_id"], message["chat"]["id"], time.perf_counter(),
                                  callback_query_id=query["id"] if query else None)
            self.update_timings[timing.update_id] = timing
            self._awaiting_reply[timing.chat_id].append(timing)
        async with self._updates_changed:
            self._updates.append(update)
            self._updates_changed.notify_all()
        return update

    async def _release_pollers(self, *, closing: bool) -> None:
        async with self._updates_changed:
            self._closing = closing or self._closed
            self._updates_changed.notify_all()

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    async def _get_updates(self, req: ApiRequest) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        params = req.params
        limit = min(max(as_int(params.get("limit", 100), "limit"), 1), 100)
        timeout = max(as_int(params.get("timeout", 0), "timeout"), 0)
        async with self._updates_changed:
            self._confirm(as_int(params.get("offset", 0), "offset"))
            self._poll_generation += 1
            generation = self._poll_generation
            self._updates_changed.notify_all()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._updates_changed.wait_for(
                        lambda: (
                            bool(self._updates)
                            or self._closing
                            or self.webhook is not None
                            or self._poll_generation != generation
                        )
                    )
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            return [] if self.webhook is not None else self._updates[:limit]
