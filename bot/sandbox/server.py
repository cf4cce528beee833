"""``FakeTelegram``: an in-memory Telegram Bot API server that the real python-telegram-bot stack talks to.

Telegram cannot be reached from tests or the demo, so this ASGI app plays its part: it keeps chats and
messages, serves ``getUpdates`` (long polling) or posts updates to a webhook, answers with Telegram's
JSON objects and errors (400, 403, 409, 429 with ``retry_after``), and checks every request against the
Bot API specification, recording each problem in ``violations``.

In-process use (fast tests)::

    fake = FakeTelegram(token="123:TEST", spec=load_spec())
    bot = telegram.Bot(fake.token, base_url=fake.base_url, request=fake.ptb_request())

Over real HTTP (end-to-end tests, ``samvad demo``)::

    async with fake.serve(host="127.0.0.1", port=0) as base_url:
        ...  # run the bot with --base-url base_url
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import struct
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram.request import HTTPXRequest

from bot.sandbox.chats import (
    ApiCall,
    CallbackQueryRecord,
    FakeChat,
    FakeMessage,
    MessageVersion,
    StoredFile,
    UpdateTiming,
    describe_user_content,
    keyboard_lines,
)
from bot.sandbox.forms import BodyError, parse_body
from bot.sandbox.html import HtmlError, parse_html
from bot.sandbox.spec import BotApiSpec, UploadedFile, decode_params, load_spec, validate_request
from bot.sandbox.users import FakeUser, text_content

__all__ = ["ApiError", "ConnectionDropped", "FakeTelegram", "WebhookConfig"]

logger = logging.getLogger(__name__)

BASE_URL = "http://sandbox/bot"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
# Methods by which the bot visibly replies in a chat (the end of an update's latency, see UpdateTiming).
REPLY_METHODS = frozenset({
    "sendMessage", "sendDocument", "sendPhoto", "sendChatAction", "editMessageText", "editMessageReplyMarkup",
    "deleteMessage", "answerCallbackQuery",
})
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description and, for 429, ``retry_after`` seconds."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends with such an error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class ConnectionDropped(httpx.RemoteProtocolError):
    """The sandbox hung up without an answer (see ``FakeTelegram.drop_next``); the client sees it as this error."""


@dataclass
class _InjectedFailure:
    """One injected fault: answer ``error``, or hold the request ``stall`` seconds, or ``drop`` the connection.

    A stall or drop with ``processed`` does the method first (the answer is what gets lost), without it the
    method never happens (after a stall the late answer is ``error``).
    """

    error: ApiError
    remaining: int
    stall: float = 0.0
    drop: bool = False
    processed: bool = False


class _DroppedResponse(Response):
    """Starts an answer and hangs up in the middle: over uvicorn the socket closes, in-process httpx raises."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
        raise ConnectionDropped("Server disconnected without sending a complete response.")


class _QuietDrops(logging.Filter):
    """Keeps uvicorn from logging an intended hang-up as an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


@dataclass
class WebhookConfig:
    """The webhook set with setWebhook, and the last delivery error getWebhookInfo reports."""

    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _ApiRequest:
    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]


_Handler = Callable[[_ApiRequest], Awaitable[Any]]


_QUIET_DROPS = _QuietDrops()


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the host program (it runs inside its event loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Do not install signal handlers."""
        yield


def _as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name}") from None


def _as_json(value: Any) -> Any:
    """Objects arrive JSON-encoded when the spec is absent (and thus nothing was decoded)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
    return value


def _as_bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


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


class FakeTelegram:
    """An in-memory Telegram Bot API server for one bot, with helpers for tests to act as users.

    ``violations`` lists every request that broke the Bot API spec (tests assert it stays empty);
    ``sent`` lists every message the bot sent; ``requests`` every request with its answer status.
    ``spec`` defaults to ``load_spec()``; without a spec file, or with ``validate=False``, nothing is checked.
    The token must look like Telegram's (``<bot id>:<secret>``): the bot's user id is taken from it.
    ``update_timings`` records, per update, when it was queued and when the bot first replied to it.
    ``reply_delay`` (seconds) holds back every answer but getUpdates, as the network to Telegram would.
    """

    def __init__(
        self,
        token: str = "123:TEST",
        *,
        spec: BotApiSpec | None = None,
        validate: bool = True,
        enforce_rate_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 3,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        webhook_retry_delay: float = 0.2,
        reply_delay: float = 0.0,
        bot_first_name: str = "Booth Samvad",
        bot_username: str = "booth_samvad_bot",
    ) -> None:
        self.token = token
        # The base_url to give python-telegram-bot for in-process use (together with transport()).
        self.base_url = BASE_URL
        self.spec = spec if spec is not None or not validate else load_spec()
        self.validate = validate
        self.enforce_rate_limits = enforce_rate_limits
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        self.webhook_retry_delay = webhook_retry_delay
        self.reply_delay = reply_delay
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }

        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.sent: list[FakeMessage] = []
        self.violations: list[str] = []
        self.requests: list[ApiCall] = []
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_settings: dict[str, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.blocked: set[int] = set()
        self.webhook: WebhookConfig | None = None
        self.update_timings: dict[int, UpdateTiming] = {}

        self._updates: list[dict[str, Any]] = []
        self.last_update_id = 0  # id of the newest update queued, so a test can wait until the bot handled it
        self._update_ids = itertools.count(10_000)
        self._query_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._updates_changed = asyncio.Condition()
        self._messages_changed = asyncio.Condition()
        self._awaiting_reply: dict[int, list[UpdateTiming]] = defaultdict(list)
        self._chat_waiters: dict[int, list[asyncio.Future[None]]] = defaultdict(list)
        self._poll_generation = 0
        self._closing = False  # release long polls at once (while the HTTP server stops, or for good)
        self._closed = False
        self._failures: dict[str, deque[_InjectedFailure]] = defaultdict(deque)
        self._global_window: deque[float] = deque()
        self._chat_buckets: dict[int, tuple[float, float]] = {}
        self._webhook_transport = webhook_transport
        self._webhook_client: httpx.AsyncClient | None = None
        self._webhook_task: asyncio.Task[None] | None = None

        handlers: dict[str, _Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._store_setting,
            "setMyShortDescription": self._store_setting,
            "setMyName": self._store_setting,
            "setChatMenuButton": self._store_setting,
        }
        self._handlers = {name.lower(): (name, handler) for name, handler in handlers.items()}
        self.asgi_app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    # --- wiring for python-telegram-bot -----------------------------------------------------------------

    def transport(self) -> httpx.ASGITransport:
        """An httpx transport that delivers requests to this server in-process."""
        return httpx.ASGITransport(app=self.asgi_app)

    def ptb_request(self, **kwargs: Any) -> HTTPXRequest:
        """A python-telegram-bot ``HTTPXRequest`` wired to this server; ``kwargs`` go to HTTPXRequest."""
        return HTTPXRequest(httpx_kwargs={"transport": self.transport()}, **kwargs)

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve over real HTTP with uvicorn in this event loop; yields the base URL, e.g. ``http://127.0.0.1:PORT/bot``."""
        config = uvicorn.Config(
            self.asgi_app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        server = _EmbeddedServer(config)
        logging.getLogger("uvicorn.error").addFilter(_QUIET_DROPS)
        task = asyncio.create_task(server.serve(), name="sandbox-uvicorn")
        while not server.started:
            if task.done():
                await task
                raise RuntimeError(f"the sandbox server could not listen on {host}:{port}")
            await asyncio.sleep(0.01)
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"http://{host}:{bound_port}/bot"
        finally:
            await self._release_pollers(closing=True)
            server.should_exit = True
            await task
            await self._release_pollers(closing=False)

    async def aclose(self) -> None:
        """Stop webhook delivery, release long polls and close the webhook HTTP client."""
        self._closed = True
        await self._release_pollers(closing=True)
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._webhook_client is not None:
            await self._webhook_client.aclose()

    async def __aenter__(self) -> FakeTelegram:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # --- the test-facing side: users and their actions --------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        language_code: str | None = None,
        *,
        username: str | None = None,
        started: bool = False,
    ) -> FakeUser:
        """Create a Telegram user and their private chat. With ``started`` the bot may message them at once;
        otherwise only after they first write (as on Telegram)."""
        user = FakeUser(
            self,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            language_code=language_code,
            username=username,
        )
        self.users[user_id] = user
        self.chats[user_id] = FakeChat(
            id=user_id,
            type="private",
            first_name=first_name,
            last_name=last_name,
            username=username,
            started=started,
        )
        return user

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to their chat answer 403 until they write to the bot again."""
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self.blocked.discard(user_id)

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this error (429 always carries retry_after).

        A 429 storm is ``fail_next(method, status=429, retry_after=..., count=many)``: every one of those calls
        is refused, however the client spaces them.
        """
        if status == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        error = ApiError(status, description or _DEFAULT_DESCRIPTIONS.get(status, "Error"), retry_after)
        self._failures[method.lower()].append(_InjectedFailure(error, count))

    def stall_next(self, method: str, *, seconds: float, processed: bool, count: int = 1) -> None:
        """Hold the next ``count`` calls of ``method`` for ``seconds`` before answering: a timeout if the client
        gives up sooner.

        With ``processed`` the call is carried out at once and only its answer is late (the message is in the
        chat, the client never learns its id); without, nothing happens and the late answer is a 504.
        """
        error = ApiError(504, "Gateway Timeout")
        self._failures[method.lower()].append(_InjectedFailure(error, count, stall=seconds, processed=processed))

    def drop_next(self, method: str, *, processed: bool, count: int = 1) -> None:
        """Close the connection of the next ``count`` calls of ``method`` without an answer (the client sees
        ``ConnectionDropped``, an ``httpx.RemoteProtocolError``); with ``processed`` the call was carried out.
        """
        error = ApiError(502, "connection dropped")
        self._failures[method.lower()].append(_InjectedFailure(error, count, drop=True, processed=processed))

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

    def next_file_number(self) -> int:
        """A fresh number for file ids."""
        return next(self._file_numbers)

    # --- the test-facing side: reading what happened ----------------------------------------------------

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not yet confirmed (getUpdates offset) or received (webhook)."""
        return list(self._updates)

    def transcript(self, chat_id: int) -> str:
        """A readable transcript of a chat, both sides, in order."""
        return self.chats[chat_id].transcript()

    def messages(self, chat_id: int) -> list[FakeMessage]:
        """Bot messages in a chat that still exist, oldest first."""
        return [message for message in self.chats[chat_id].messages if not message.deleted]

    def message(self, chat_id: int, message_id: int) -> FakeMessage:
        """A bot message by chat and id (deleted ones included)."""
        for message in self.chats[chat_id].messages:
            if message.message_id == message_id:
                return message
        raise KeyError(f"no bot message #{message_id} in chat {chat_id}")

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> FakeMessage:
        """Wait for the next bot message to ``chat_id`` not yet returned (per-chat cursor).

        Raises AssertionError with the chat transcript on timeout.
        """
        chat = self.chats[chat_id]
        async with self._messages_changed:
            try:
                async with asyncio.timeout(timeout):
                    await self._messages_changed.wait_for(lambda: chat.cursor < len(chat.messages))
            except TimeoutError:
                raise AssertionError(
                    f"no new bot message in chat {chat_id} within {timeout}s; transcript:\n{chat.transcript()}"
                ) from None
            chat.cursor += 1
            return chat.messages[chat.cursor - 1]

    async def wait_for_chat(self, chat_id: int, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds, checking it whenever the bot changes the chat (a message, an edit,
        a deletion, a button answer). Raises AssertionError with the chat transcript on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            changed: asyncio.Future[None] = loop.create_future()
            self._chat_waiters[chat_id].append(changed)
            try:
                await asyncio.wait_for(changed, deadline - loop.time())
            except TimeoutError:
                raise AssertionError(
                    f"chat {chat_id} did not reach the expected state within {timeout}s; transcript:\n"
                    + self.chats[chat_id].transcript()
                ) from None

    def _chat_changed(self, chat_id: int) -> None:
        for changed in self._chat_waiters.pop(chat_id, ()):
            if not changed.done():
                changed.set_result(None)

    def unanswered_callback_queries(self) -> list[CallbackQueryRecord]:
        """Button presses the bot never answered with answerCallbackQuery (clients show a spinner)."""
        return [query for query in self.callback_queries.values() if not query.answered]

    def commands_for(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """The commands set with setMyCommands for this scope and language."""
        return self.my_commands.get(self._commands_key(scope, language_code), [])

    @property
    def errors(self) -> list[ApiCall]:
        """The requests that were answered with an error."""
        return [call for call in self.requests if call.status not in (None, 200)]

    # --- HTTP -------------------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(ApiError(401, "Unauthorized").payload(), status_code=401)
        arrived = time.perf_counter()
        call = ApiCall(method=request.path_params["method"], params={}, time=time.time())
        self.requests.append(call)
        try:
            try:
                params, files = parse_body(
                    request.headers.get("content-type", ""), await request.body(), request.url.query
                )
            except BodyError as exc:
                raise ApiError(400, f"Bad Request: {exc}") from None
            call.params = params
            self._note_reply(call.method, params, arrived)
            result = await self._call(call, files)
            if self.reply_delay and call.method != "getUpdates":
                await asyncio.sleep(self.reply_delay)
        except ConnectionDropped:
            call.description = "connection dropped"
            return _DroppedResponse()
        except ApiError as error:
            call.status, call.description = error.status, error.description
            return JSONResponse(error.payload(), status_code=error.status)
        except Exception as exc:
            logger.exception("sandbox failed on %s", call.method)
            self.violations.append(f"{call.method}: sandbox internal error: {exc!r}")
            internal = ApiError(500, "Internal Server Error")
            call.status, call.description = internal.status, internal.description
            return JSONResponse(internal.payload(), status_code=500)
        call.status = 200
        return JSONResponse({"ok": True, "result": result})

    async def _call(self, call: ApiCall, files: dict[str, UploadedFile]) -> Any:
        found = self._handlers.get(call.method.lower())
        method_spec = self.spec.method(call.method) if self.spec is not None else None
        if found is None:
            if method_spec is None:
                self.violations.append(f"{call.method}: unknown method")
                raise ApiError(404, "Not Found")
            self.violations.append(f"{method_spec.name}: the sandbox does not emulate this method")
            raise ApiError(501, f"Not Implemented: the sandbox does not emulate {method_spec.name}")
        call.method, handler = found
        if self.spec is not None and self.validate:
            call.params = decode_params(self.spec, call.method, call.params, files)
            problems = validate_request(self.spec, call.method, call.params)
            if problems:
                self.violations.extend(f"{call.method}: {problem}" for problem in problems)
                raise ApiError(400, "Bad Request: " + "; ".join(problems))
        failures = self._failures.get(call.method.lower())
        if not failures:
            return await handler(_ApiRequest(call.method, call.params, files))
        failure = failures[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            failures.popleft()
        result = await handler(_ApiRequest(call.method, call.params, files)) if failure.processed else None
        if failure.drop:
            raise ConnectionDropped(call.method)
        await asyncio.sleep(failure.stall)
        if failure.processed:
            return result
        raise failure.error

    # --- updates ----------------------------------------------------------------------------------------

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

    async def _get_updates(self, req: _ApiRequest) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        params = req.params
        limit = min(max(_as_int(params.get("limit", 100), "limit"), 1), 100)
        timeout = max(_as_int(params.get("timeout", 0), "timeout"), 0)
        async with self._updates_changed:
            self._confirm(_as_int(params.get("offset", 0), "offset"))
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

    # --- webhooks ---------------------------------------------------------------------------------------

    async def _set_webhook(self, req: _ApiRequest) -> bool:
        url = str(req.params.get("url", ""))
        if not url:
            return await self._delete_webhook(req)
        secret = req.params.get("secret_token")
        async with self._updates_changed:
            self.webhook = WebhookConfig(
                url=url,
                secret_token=str(secret) if secret is not None else None,
                max_connections=_as_int(req.params.get("max_connections", 40), "max_connections"),
            )
            if _as_bool(req.params.get("drop_pending_updates")):
                self._updates.clear()
            self._updates_changed.notify_all()
        if self._webhook_client is None:
            self._webhook_client = httpx.AsyncClient(transport=self._webhook_transport, timeout=10.0)
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_webhook_updates(), name="sandbox-webhook")
        return True

    async def _delete_webhook(self, req: _ApiRequest) -> bool:
        async with self._updates_changed:
            self.webhook = None
            if _as_bool(req.params.get("drop_pending_updates")):
                self._updates.clear()
            self._updates_changed.notify_all()
        return True

    async def _get_webhook_info(self, req: _ApiRequest) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return info

    async def _deliver_webhook_updates(self) -> None:
        """Post pending updates to the webhook one by one, in order, retrying failed deliveries."""
        while True:
            async with self._updates_changed:
                await self._updates_changed.wait_for(
                    lambda: self._closed or self.webhook is None or bool(self._updates)
                )
                if self._closed or self.webhook is None:
                    return
                hook, update = self.webhook, self._updates[0]
            if await self._post_update(hook, update):
                async with self._updates_changed:
                    self._updates = [pending for pending in self._updates if pending is not update]
            else:
                await asyncio.sleep(self.webhook_retry_delay)

    async def _post_update(self, hook: WebhookConfig, update: dict[str, Any]) -> bool:
        assert self._webhook_client is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        try:
            response = await self._webhook_client.post(hook.url, json=update, headers=headers)
        except httpx.HTTPError as exc:
            error = f"Connection failed: {exc!r}"
        else:
            if response.is_success:
                return True
            error = f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
        hook.last_error_date, hook.last_error_message = int(time.time()), error
        logger.warning("sandbox webhook delivery to %s failed: %s", hook.url, error)
        return False

    # --- chats and messages -----------------------------------------------------------------------------

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
        return text, tuple(_as_json(entities) or ())

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
            reply_markup=_as_json(reply_markup),
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

    def _input_file(self, req: _ApiRequest, name: str) -> StoredFile:
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

    async def _send_message(self, req: _ApiRequest) -> dict[str, Any]:
        chat = self._target_chat(req.params)
        version = self._version(req.params, "text", req.params.get("reply_markup"))
        if not version.text:
            raise ApiError(400, "Bad Request: message text is empty")
        self._rate_limit(chat.id)
        return await self._new_bot_message(chat, req.method, version)

    async def _send_document(self, req: _ApiRequest) -> dict[str, Any]:
        chat = self._target_chat(req.params)
        version = self._version(req.params, "caption", req.params.get("reply_markup"))
        document = self._input_file(req, "document")
        self._rate_limit(chat.id)
        return await self._new_bot_message(chat, req.method, version, document=document)

    async def _send_photo(self, req: _ApiRequest) -> dict[str, Any]:
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
        message_id = _as_int(params.get("message_id"), "message_id")
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

    async def _edit_message_text(self, req: _ApiRequest) -> dict[str, Any]:
        message = self._message_to_edit(req.params)
        if message.is_media:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        version = self._version(req.params, "text", req.params.get("reply_markup"))
        return self._apply_edit(message, version, "text")

    async def _edit_message_reply_markup(self, req: _ApiRequest) -> dict[str, Any]:
        message = self._message_to_edit(req.params)
        current = message.current
        version = MessageVersion(
            raw_text=current.raw_text,
            text=current.text,
            parse_mode=current.parse_mode,
            entities=current.entities,
            reply_markup=_as_json(req.params.get("reply_markup")),
            time=time.time(),
        )
        return self._apply_edit(message, version, "markup")

    async def _delete_message(self, req: _ApiRequest) -> bool:
        chat = self._target_chat(req.params, check_blocked=False)
        message_id = _as_int(req.params.get("message_id"), "message_id")
        message = chat.bot_message(message_id)
        if message is not None:
            message.deleted = True
        elif chat.incoming.pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        chat.log.append(f"bot deleted #{message_id}")
        self._chat_changed(chat.id)
        return True

    async def _answer_callback_query(self, req: _ApiRequest) -> bool:
        query = self.callback_queries.get(str(req.params.get("callback_query_id")))
        if query is None or query.answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        text = req.params.get("text")
        query.answered = True
        query.answer_text = None if text is None else str(text)
        query.show_alert = _as_bool(req.params.get("show_alert"))
        if query.answer_text:
            kind = "alert" if query.show_alert else "toast"
            self.chats[query.chat_id].log.append(f"bot ({kind}): {query.answer_text}")
        self._chat_changed(query.chat_id)
        return True

    async def _send_chat_action(self, req: _ApiRequest) -> bool:
        chat = self._target_chat(req.params)
        self.chat_actions.append((chat.id, str(req.params.get("action"))))
        return True

    # --- bot settings -----------------------------------------------------------------------------------

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = _as_json(scope) or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    async def _set_my_commands(self, req: _ApiRequest) -> bool:
        key = self._commands_key(req.params.get("scope"), req.params.get("language_code"))
        self.my_commands[key] = list(_as_json(req.params.get("commands")) or [])
        return True

    async def _get_my_commands(self, req: _ApiRequest) -> list[dict[str, Any]]:
        return self.my_commands.get(self._commands_key(req.params.get("scope"), req.params.get("language_code")), [])

    async def _delete_my_commands(self, req: _ApiRequest) -> bool:
        self.my_commands.pop(self._commands_key(req.params.get("scope"), req.params.get("language_code")), None)
        return True

    async def _store_setting(self, req: _ApiRequest) -> bool:
        self.bot_settings[req.method] = dict(req.params)
        return True

    async def _get_me(self, req: _ApiRequest) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
