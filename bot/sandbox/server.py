"""``FakeTelegram``: an in-memory Telegram Bot API server that the real python-telegram-bot stack talks to.

Telegram cannot be reached from tests or the demo, so this ASGI app plays its part: it keeps chats and
messages, serves ``getUpdates`` (long polling) or posts updates to a webhook, answers with Telegram's
JSON objects and errors (400, 403, 409, 429 with ``retry_after``), and checks every request against the
Bot API specification, recording each problem in ``violations``. This module wires the HTTP side (routing,
serving, the test-facing reading helpers); the methods live in ``updates``, ``webhooks``, ``messages``,
``settings`` and ``faults``, and the state they share is declared in ``state``.

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
import logging
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram.request import HTTPXRequest

from bot.sandbox.chats import ApiCall, CallbackQueryRecord, FakeChat, FakeMessage
from bot.sandbox.errors import ApiError, ConnectionDropped
from bot.sandbox.faults import QUIET_DROPS, DroppedResponse, FaultInjection
from bot.sandbox.forms import BodyError, parse_body
from bot.sandbox.messages import MessageMethods
from bot.sandbox.params import ApiRequest, Handler
from bot.sandbox.settings import BotSettings
from bot.sandbox.spec import BotApiSpec, UploadedFile, decode_params, load_spec, validate_request
from bot.sandbox.updates import UpdateFeed
from bot.sandbox.users import FakeUser
from bot.sandbox.webhooks import WebhookDelivery

__all__ = ["FakeTelegram"]

logger = logging.getLogger(__name__)

BASE_URL = "http://sandbox/bot"


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the host program (it runs inside its event loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Do not install signal handlers."""
        yield


class FakeTelegram(MessageMethods, UpdateFeed, WebhookDelivery, BotSettings, FaultInjection):
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
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }

        self.users = {}
        self.chats = {}
        self.sent = []
        self.violations = []
        self.requests = []
        self.callback_queries = {}
        self.chat_actions = []
        self.my_commands = {}
        self.bot_settings = {}
        self.files = {}
        self.blocked = set()
        self.webhook = None
        self.update_timings = {}

        self._updates = []
        self.last_update_id = 0  # id of the newest update queued, so a test can wait until the bot handled it
        self._update_ids = itertools.count(10_000)
        self._query_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._updates_changed = asyncio.Condition()
        self._messages_changed = asyncio.Condition()
        self._awaiting_reply = defaultdict(list)
        self._chat_waiters = defaultdict(list)
        self._poll_generation = 0
        self._closing = False  # release long polls at once (while the HTTP server stops, or for good)
        self._closed = False
        self._failures = defaultdict(deque)
        self._global_window = deque()
        self._chat_buckets = {}
        self._webhook_transport = webhook_transport
        self._webhook_client = None
        self._webhook_task = None

        handlers: dict[str, Handler] = {
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
        logging.getLogger("uvicorn.error").addFilter(QUIET_DROPS)
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


    # --- the test-facing side: reading what happened ----------------------------------------------------


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


    def unanswered_callback_queries(self) -> list[CallbackQueryRecord]:
        """Button presses the bot never answered with answerCallbackQuery (clients show a spinner)."""
        return [query for query in self.callback_queries.values() if not query.answered]


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
            return DroppedResponse()
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
        request = ApiRequest(call.method, call.params, files)
        return await self._with_faults(call.method, lambda: handler(request))
