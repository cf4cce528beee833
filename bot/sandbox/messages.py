"""The bot's side of chats: sending, editing and deleting messages, files, button answers and chat actions."""

from __future__ import annotations

import math
import struct
import time
from typing import Any

from bot.sandbox.chats import FakeChat, FakeMessage, MessageVersion, StoredFile, keyboard_lines
from bot.sandbox.errors import ApiError
from bot.sandbox.html import HtmlError, parse_html
from bot.sandbox.params import ApiRequest, as_bool, as_int, as_json
from bot.sandbox.spec import UploadedFile
from bot.sandbox.state import SandboxState

__all__ = ["MessageMethods"]

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def _inline_markup(markup: Any) -> dict[str, Any] | None:
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG image, or None if ``data`` is neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 <= len(data) and data[i] == 0xFF:
            marker = data[i + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
    return None


class MessageMethods(SandboxState):
    """The Bot API methods by which the bot writes in chats, with Telegram's checks, errors and rate limits."""

    def next_file_number(self) -> int:
        """A fresh number for file ids."""
        return next(self._file_numbers)

    def _chat_changed(self, chat_id: int) -> None:
        for changed in self._chat_waiters.pop(chat_id, ()):
            if not changed.done():
                changed.set_result(None)

    def _target_chat(self, params: dict[str, Any], *, check_blocked: bool = True) -> FakeChat:
        if params.get("chat_id") is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(params["chat_id"])
        except ValueError:
            raise ApiError(400, "Bad Request: chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None or not chat.started:
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError(400, "Bad Request: chat not found")
        if check_blocked and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _rate_limit(self, chat_id: int) -> None:
        """Telegram's message limits, if enforced: a sliding one-second window overall, and per chat a token
        bucket (a small burst, then ``per_chat_per_second``). Only sendMessage/Document/Photo count."""
        if not self.enforce_rate_limits:
            return
        now = time.monotonic()
        while self._global_window and self._global_window[0] <= now - 1.0:
            self._global_window.popleft()
        if len(self._global_window) >= self.global_per_second:
            wait = self._global_window[0] + 1.0 - now
            raise ApiError(429, f"Too Many Requests: retry after {max(1, math.ceil(wait))}", max(1, math.ceil(wait)))
        tokens, last = self._chat_buckets.get(chat_id, (float(self.per_chat_burst), now))
        tokens = min(float(self.per_chat_burst), tokens + (now - last) * self.per_chat_per_second)
        if tokens < 1.0:
            wait = max(1, math.ceil((1.0 - tokens) / self.per_chat_per_second))
            self._chat_buckets[chat_id] = (tokens, now)
            raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        self._chat_buckets[chat_id] = (tokens - 1.0, now)
        self._global_window.append(now)

    @staticmethod
    def _render(text: str, parse_mode: Any, entities: Any) -> tuple[str, tuple[dict[str, Any], ...]]:
        if isinstance(parse_mode, str) and parse_mode.lower() == "html":
            try:
                formatted = parse_html(text)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            return formatted.text, tuple(formatted.entities)
        return text, tuple(as_json(entities) or ())

    def _version(self, params: dict[str, Any], text_field: str, reply_markup: Any) -> MessageVersion:
        raw = params.get(text_field)
        parse_mode = params.get("parse_mode")
        shown: str | None = None
        entities: tuple[dict[str, Any], ...] = ()
        if raw is not None:
            entities_field = "entities" if text_field == "text" else "caption_entities"
            shown, entities = self._render(str(raw), parse_mode, params.get(entities_field))
        return MessageVersion(
            raw_text=None if raw is None else str(raw),
            text=shown,
            parse_mode=None if parse_mode is None else str(parse_mode),
            entities=entities,
            reply_markup=as_json(reply_markup),
            time=time.time(),
        )

    async def _new_bot_message(
        self,
        chat: FakeChat,
        method: str,
        version: MessageVersion,
        *,
        document: StoredFile | None = None,
        photo: StoredFile | None = None,
    ) -> dict[str, Any]:
        message = FakeMessage(
            chat=chat,
            message_id=chat.take_message_id(),
            method=method,
            date=int(version.time),
            time=version.time,
            versions=[version],
            document=document,
            photo=photo,
        )
        attachment = document or photo
        body = version.text or ""
        if attachment is not None:
            kind = "document" if document is not None else "photo"
            body = f"[{kind} {attachment.filename}, {attachment.size} bytes] {body}".rstrip()
        self._log_bot(chat, f"bot #{message.message_id}", body, version.reply_markup)
        async with self._messages_changed:
            chat.messages.append(message)
            self.sent.append(message)
            self._messages_changed.notify_all()
        self._chat_changed(chat.id)
        return message.to_api(self.bot_user)

    @staticmethod
    def _log_bot(chat: FakeChat, prefix: str, body: str, reply_markup: dict[str, Any] | None) -> None:
        lines = body.split("\n")
        chat.log.append(f"{prefix}: {lines[0]}")
        chat.log.extend(f"    {line}" for line in lines[1:])
        chat.log.extend(keyboard_lines(reply_markup))

    def _input_file(self, req: ApiRequest, name: str) -> StoredFile:
        value = req.params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = req.files.get(value.removeprefix("attach://"))
        if value is None:
            value = req.files.get(name)
        if isinstance(value, str):
            stored = self.files.get(value)
            if stored is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return stored
        if not isinstance(value, UploadedFile):
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        number = self.next_file_number()
        stored = StoredFile(
            file_id=f"sandbox-{name}-{number}",
            file_unique_id=f"u{name[:1]}{number}",
            filename=value.filename,
            mime_type=value.mime_type,
            data=value.data,
        )
        self.files[stored.file_id] = stored
        return stored

    async def _send_message(self, req: ApiRequest) -> dict[str, Any]:
        chat = self._target_chat(req.params)
        version = self._version(req.params, "text", req.params.get("reply_markup"))
        if not version.text:
            raise ApiError(400, "Bad Request: message text is empty")
        self._rate_limit(chat.id)
        return await self._new_bot_message(chat, req.method, version)

    async def _send_document(self, req: ApiRequest) -> dict[str, Any]:
        chat = self._target_chat(req.params)
        version = self._version(req.params, "caption", req.params.get("reply_markup"))
        document = self._input_file(req, "document")
        self._rate_limit(chat.id)
        return await self._new_bot_message(chat, req.method, version, document=document)

    async def _send_photo(self, req: ApiRequest) -> dict[str, Any]:
        chat = self._target_chat(req.params)
        version = self._version(req.params, "caption", req.params.get("reply_markup"))
        photo = self._input_file(req, "photo")
        if photo.width is None:
            size = _image_size(photo.data)
            if size is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            photo.width, photo.height = size
        self._rate_limit(chat.id)
        return await self._new_bot_message(chat, req.method, version, photo=photo)

    def _message_to_edit(self, params: dict[str, Any]) -> FakeMessage:
        if params.get("inline_message_id") is not None:
            raise ApiError(400, "Bad Request: the sandbox does not emulate inline messages")
        chat = self._target_chat(params)
        message_id = as_int(params.get("message_id"), "message_id")
        message = chat.bot_message(message_id)
        if message is None:
            if message_id in chat.incoming:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _apply_edit(self, message: FakeMessage, version: MessageVersion, what: str) -> dict[str, Any]:
        current = message.current
        if (version.text, version.entities, _inline_markup(version.reply_markup)) == (
            current.text,
            current.entities,
            _inline_markup(current.reply_markup),
        ):
            raise ApiError(400, NOT_MODIFIED)
        message.versions.append(version)
        message.edit_date = int(version.time)
        if what == "text":
            body = version.text or ""
        else:
            body = "[buttons changed]" if version.reply_markup else "[buttons removed]"
        self._log_bot(message.chat, f"bot edited #{message.message_id}", body, version.reply_markup)
        self._chat_changed(message.chat_id)
        return message.to_api(self.bot_user)

    async def _edit_message_text(self, req: ApiRequest) -> dict[str, Any]:
        message = self._message_to_edit(req.params)
        if message.is_media:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        version = self._version(req.params, "text", req.params.get("reply_markup"))
        return self._apply_edit(message, version, "text")

    async def _edit_message_reply_markup(self, req: ApiRequest) -> dict[str, Any]:
        message = self._message_to_edit(req.params)
        current = message.current
        version = MessageVersion(
            raw_text=current.raw_text,
            text=current.text,
            parse_mode=current.parse_mode,
            entities=current.entities,
            reply_markup=as_json(req.params.get("reply_markup")),
            time=time.time(),
        )
        return self._apply_edit(message, version, "markup")

    async def _delete_message(self, req: ApiRequest) -> bool:
        chat = self._target_chat(req.params, check_blocked=False)
        message_id = as_int(req.params.get("message_id"), "message_id")
        message = chat.bot_message(message_id)
        if message is not None:
            message.deleted = True
        elif chat.incoming.pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        chat.log.append(f"bot deleted #{message_id}")
        self._chat_changed(chat.id)
        return True

    async def _answer_callback_query(self, req: ApiRequest) -> bool:
        query = self.callback_queries.get(str(req.params.get("callback_query_id")))
        if query is None or query.answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        text = req.params.get("text")
        query.answered = True
        query.answer_text = None if text is None else str(text)
        query.show_alert = as_bool(req.params.get("show_alert"))
        if query.answer_text:
            kind = "alert" if query.show_alert else "toast"
            self.chats[query.chat_id].log.append(f"bot ({kind}): {query.answer_text}")
        self._chat_changed(query.chat_id)
        return True

    async def _send_chat_action(self, req: ApiRequest) -> bool:
        chat = self._target_chat(req.params)
        self.chat_actions.append((chat.id, str(req.params.get("action"))))
        return True
