"""The sandbox's record of chats: bot messages with their edit history, stored files, button presses, calls.

These are plain data objects that tests read (``user.messages[-1].buttons``, ``fake.sent``); the server in
``bot.sandbox.server`` creates and changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiCall",
    "CallbackQueryRecord",
    "FakeChat",
    "FakeMessage",
    "MessageVersion",
    "StoredFile",
    "UpdateTiming",
    "describe_user_content",
    "keyboard_lines",
]


@dataclass
class StoredFile:
    """A file the bot sent (document or photo), with the bytes so tests can open the PNG or XLSX."""

    file_id: str
    file_unique_id: str
    filename: str
    mime_type: str
    data: bytes = field(repr=False)
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass(frozen=True)
class MessageVersion:
    """One state of a bot message: as sent, or after an edit.

    ``text`` is what the user sees (HTML tags removed, entities unescaped); ``raw_text`` is what the bot sent.
    For a document or photo these hold the caption.
    """

    raw_text: str | None
    text: str | None
    parse_mode: str | None
    entities: tuple[dict[str, Any], ...]
    reply_markup: dict[str, Any] | None
    time: float


@dataclass
class FakeMessage:
    """A message the bot sent, as the sandbox keeps it: current content, edit history, attached file."""

    chat: FakeChat = field(repr=False)
    message_id: int
    method: str
    date: int
    time: float
    versions: list[MessageVersion]
    document: StoredFile | None = None
    photo: StoredFile | None = None
    edit_date: int | None = None
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        """Id of the chat the message is in."""
        return self.chat.id

    @property
    def current(self) -> MessageVersion:
        """The message as it is now (after the last edit)."""
        return self.versions[-1]

    @property
    def edits(self) -> list[MessageVersion]:
        """The versions produced by edits, oldest first (empty if never edited)."""
        return self.versions[1:]

    @property
    def is_media(self) -> bool:
        """Whether this is a document or photo (its text is a caption)."""
        return self.document is not None or self.photo is not None

    @property
    def text(self) -> str | None:
        """The text as the user sees it, or None for a document or photo."""
        return None if self.is_media else self.current.text

    @property
    def raw_text(self) -> str | None:
        """The text exactly as the bot sent it (with HTML tags and escapes), or None for media."""
        return None if self.is_media else self.current.raw_text

    @property
    def caption(self) -> str | None:
        """The caption of a document or photo as the user sees it."""
        return self.current.text if self.is_media else None

    @property
    def parse_mode(self) -> str | None:
        """The parse_mode of the current version."""
        return self.current.parse_mode

    @property
    def entities(self) -> list[dict[str, Any]]:
        """Formatting entities of the current text or caption."""
        return list(self.current.entities)

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The reply markup as the bot sent it (an inline keyboard, a reply keyboard, ...), or None."""
        return self.current.reply_markup

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as (label, callback_data) pairs; callback_data is None for URL buttons."""
        markup = self.reply_markup or {}
        return [
            [(button.get("text", ""), button.get("callback_data")) for button in row]
            for row in markup.get("inline_keyboard", [])
        ]

    def to_api(self, bot_user: dict[str, Any]) -> dict[str, Any]:
        """The Telegram ``Message`` object for this message, as the Bot API returns it."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": bot_user,
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        entities = list(self.current.entities)
        if self.document is not None:
            message["document"] = {
                "file_id": self.document.file_id,
                "file_unique_id": self.document.file_unique_id,
                "file_name": self.document.filename,
                "mime_type": self.document.mime_type,
                "file_size": self.document.size,
            }
        if self.photo is not None:
            message["photo"] = [
                {
                    "file_id": self.photo.file_id,
                    "file_unique_id": self.photo.file_unique_id,
                    "width": self.photo.width,
                    "height": self.photo.height,
                    "file_size": self.photo.size,
                }
            ]
        if self.is_media:
            if self.current.text:
                message["caption"] = self.current.text
                if entities:
                    message["caption_entities"] = entities
        else:
            message["text"] = self.current.text
            if entities:
                message["entities"] = entities
        markup = self.current.reply_markup
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message


@dataclass
class FakeChat:
    """A chat the sandbox knows: a user's private chat with the bot, or a group.

    ``started`` means the other side has written to the bot, so the bot may send to it.
    """

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    started: bool = False
    next_message_id: int = 1
    messages: list[FakeMessage] = field(default_factory=list, repr=False)
    incoming: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    log: list[str] = field(default_factory=list, repr=False)
    cursor: int = 0

    def to_api(self) -> dict[str, Any]:
        """The Telegram ``Chat`` object."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                chat[key] = value
        return chat

    def take_message_id(self) -> int:
        """The next message id in this chat (ids increase per chat across both sides, like Telegram)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bot_message(self, message_id: int) -> FakeMessage | None:
        """The bot message with this id, unless it was deleted."""
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def transcript(self) -> str:
        """The readable history of this chat, both sides."""
        return "\n".join(self.log)


@dataclass
class CallbackQueryRecord:
    """A button press and the bot's answer to it (answerCallbackQuery)."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False


@dataclass
class UpdateTiming:
    """When an update was queued for the bot, and when the bot's first reply to it reached the server.

    Times are ``time.perf_counter()`` seconds. The first reply is the answerCallbackQuery for the pressed
    button, or else the first message, edit or deletion the bot made in the update's chat after it.
    """

    update_id: int
    chat_id: int
    queued_at: float
    callback_query_id: str | None = None
    replied_at: float | None = None
    reply_method: str | None = None

    @property
    def latency(self) -> float | None:
        """Seconds from queueing to the first reply, or None while the bot has not replied."""
        return None if self.replied_at is None else self.replied_at - self.queued_at


@dataclass
class ApiCall:
    """One Bot API request the bot made: method, decoded parameters, and the HTTP status (None while pending)."""

    method: str
    params: dict[str, Any]
    time: float
    status: int | None = None
    description: str | None = None


def keyboard_lines(reply_markup: dict[str, Any] | None) -> list[str]:
    """Transcript lines showing an inline or reply keyboard, one line per row."""
    if not reply_markup:
        return []
    lines = []
    for row in reply_markup.get("inline_keyboard", []):
        cells = []
        for button in row:
            target = button.get("callback_data") or button.get("url") or "?"
            cells.append(f"[{button.get('text', '')} → {target}]")
        lines.append("    " + " ".join(cells))
    for row in reply_markup.get("keyboard", []):
        labels = [button if isinstance(button, str) else button.get("text", "") for button in row]
        lines.append("    " + " ".join(f"‹{label}›" for label in labels))
    return lines


def describe_user_content(content: dict[str, Any]) -> str:
    """A short transcript rendering of what a user sent (text, contact, photo, sticker, ...)."""
    if "text" in content:
        return str(content["text"])
    if "contact" in content:
        return f"[contact {content['contact'].get('phone_number')}]"
    if "photo" in content:
        caption = content.get("caption")
        return f"[photo] {caption}" if caption else "[photo]"
    if "sticker" in content:
        emoji = content["sticker"].get("emoji")
        return f"[sticker {emoji}]" if emoji else "[sticker]"
    return "[" + ", ".join(sorted(content)) + "]"
