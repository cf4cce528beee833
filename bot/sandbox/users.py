"""``FakeUser``: a Telegram user that tests drive (send text, share a contact, press buttons, read replies)."""

from __future__ import annotations

import re
from typing import Any, Protocol

from bot.sandbox.chats import CallbackQueryRecord, FakeChat, FakeMessage
from bot.sandbox.html import utf16_len

__all__ = ["FakeUser", "UserServer", "text_content"]

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]+)?")


def text_content(text: str) -> dict[str, Any]:
    """Message content for a text; a leading ``/command`` gets a ``bot_command`` entity as Telegram adds."""
    content: dict[str, Any] = {"text": text}
    match = _COMMAND_RE.match(text)
    if match is not None and (match.end() == len(text) or text[match.end()].isspace()):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]
    return content


class UserServer(Protocol):
    """What a user needs of the sandbox (``FakeTelegram``): their chat, a way to act, and the bot's answers."""

    chats: dict[int, FakeChat]
    callback_queries: dict[str, CallbackQueryRecord]

    async def queue_message(self, chat_id: int, user: FakeUser, content: dict[str, Any]) -> dict[str, Any]:
        """Queue a message from ``user`` in ``chat_id`` as an update."""
        ...

    async def queue_edit(self, chat_id: int, user: FakeUser, message_id: int, text: str) -> dict[str, Any]:
        """Queue an edit of ``user``'s earlier message as an update."""
        ...

    async def queue_callback_query(self, user: FakeUser, message: FakeMessage, data: str) -> str:
        """Queue a button press of ``user`` as an update."""
        ...

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> FakeMessage:
        """Wait for the next bot message to ``chat_id``."""
        ...

    def next_file_number(self) -> int:
        """A fresh number for file ids."""
        ...

    def block(self, user_id: int) -> None:
        """The user blocks the bot."""
        ...


class FakeUser:
    """A person chatting with the bot in their private chat (chat id = user id).

    Actions queue updates for the bot (``send_text``, ``press``, ...); reading methods show what the bot
    sent back (``messages``, ``next_message``, ``callback_answers``).
    """

    def __init__(
        self,
        fake: UserServer,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        language_code: str | None = None,
        username: str | None = None,
    ) -> None:
        self.fake = fake
        self.user_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.language_code = language_code
        self.username = username

    def __repr__(self) -> str:
        return f"FakeUser(user_id={self.user_id}, first_name={self.first_name!r})"

    @property
    def display_name(self) -> str:
        """First and last name, as the transcript shows the user."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def chat(self) -> FakeChat:
        """The private chat between this user and the bot."""
        return self.fake.chats[self.user_id]

    def to_api(self) -> dict[str, Any]:
        """The Telegram ``User`` object."""
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                user[key] = value
        return user

    # --- actions ---------------------------------------------------------------------------------------

    async def send_text(self, text: str) -> dict[str, Any]:
        """Write ``text`` to the bot (commands get a bot_command entity); returns the queued update."""
        return await self.fake.queue_message(self.user_id, self, text_content(text))

    async def share_contact(
        self,
        phone_number: str,
        user_id: int | None = None,
        *,
        first_name: str | None = None,
        include_user_id: bool = True,
    ) -> dict[str, Any]:
        """Share a contact: by default one's own (user_id = sender); pass ``user_id`` to share someone else's.

        Real clients often send one's own number without the leading ``+`` (``919876543210``); test both.
        """
        contact_user_id = self.user_id if user_id is None else user_id
        contact: dict[str, Any] = {"phone_number": phone_number}
        if contact_user_id == self.user_id:
            contact["first_name"] = first_name or self.first_name
            if self.last_name is not None:
                contact["last_name"] = self.last_name
        else:
            contact["first_name"] = first_name or "Contact"
        if include_user_id:
            contact["user_id"] = contact_user_id
        return await self.fake.queue_message(self.user_id, self, {"contact": contact})

    async def send_photo(self, caption: str | None = None) -> dict[str, Any]:
        """Send a photo (a non-text message the bot should cope with); returns the queued update."""
        number = self.fake.next_file_number()
        content: dict[str, Any] = {
            "photo": [{"file_id": f"user-photo-{number}", "file_unique_id": f"up{number}", "width": 90, "height": 90}]
        }
        if caption is not None:
            content["caption"] = caption
        return await self.fake.queue_message(self.user_id, self, content)

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker (another non-text message); returns the queued update."""
        number = self.fake.next_file_number()
        sticker = {
            "file_id": f"user-sticker-{number}",
            "file_unique_id": f"us{number}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self.fake.queue_message(self.user_id, self, {"sticker": sticker})

    async def edit_text(self, message_id: int, text: str) -> dict[str, Any]:
        """Edit one's own earlier text message ``message_id`` to read ``text``; returns the queued update."""
        return await self.fake.queue_edit(self.user_id, self, message_id, text)

    async def press(self, callback_data: str, *, message_id: int | None = None) -> str:
        """Press the button with ``callback_data`` on the newest bot message that has it (or on ``message_id``).

        Returns the callback query id; raises AssertionError if no such button is shown.
        """
        for message in reversed(self.messages):
            if message_id is not None and message.message_id != message_id:
                continue
            if any(data == callback_data for row in message.buttons for _, data in row):
                return await self.fake.queue_callback_query(self, message, callback_data)
        where = f"message #{message_id}" if message_id is not None else "any bot message"
        raise AssertionError(
            f"{where} in the chat with {self.display_name} has no button with callback_data {callback_data!r}\n"
            + self.chat.transcript()
        )

    async def press_label(self, label: str, *, message_id: int | None = None) -> str:
        """Press the first button whose label contains ``label``, on the newest message with an inline keyboard."""
        with_keyboard = [m for m in self.messages if m.buttons and message_id in (None, m.message_id)]
        if with_keyboard:
            message = with_keyboard[-1]
            for row in message.buttons:
                for text, data in row:
                    if label in text and data is not None:
                        return await self.fake.queue_callback_query(self, message, data)
        raise AssertionError(
            f"no callback button labelled like {label!r} on the newest keyboard in the chat with "
            f"{self.display_name}\n" + self.chat.transcript()
        )

    def block(self) -> None:
        """Block the bot: further sends to this chat fail with 403 until the user writes again."""
        self.fake.block(self.user_id)

    # --- what the bot sent ------------------------------------------------------------------------------

    @property
    def messages(self) -> list[FakeMessage]:
        """Bot messages in this chat that still exist, oldest first."""
        return [message for message in self.chat.messages if not message.deleted]

    @property
    def last_message(self) -> FakeMessage:
        """The newest bot message in this chat; AssertionError if there is none."""
        if not self.messages:
            raise AssertionError(f"the bot has sent nothing to {self.display_name}\n" + self.chat.transcript())
        return self.messages[-1]

    async def next_message(self, timeout: float = 5.0) -> FakeMessage:
        """Wait for the next bot message to this user not yet returned by ``next_message``."""
        return await self.fake.next_message(self.user_id, timeout=timeout)

    @property
    def callback_answers(self) -> list[str | None]:
        """Texts of the bot's answerCallbackQuery replies to this user's presses, in press order."""
        return [
            query.answer_text
            for query in self.fake.callback_queries.values()
            if query.user_id == self.user_id and query.answered
        ]
