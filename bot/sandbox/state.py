"""What the sandbox keeps for one bot: the attributes every part of ``FakeTelegram`` shares.

``FakeTelegram.__init__`` sets them; the parts (updates, webhooks, messages, settings) are mixins of this
class, so that each sees the same state with its types.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx

from bot.sandbox.chats import ApiCall, CallbackQueryRecord, FakeChat, FakeMessage, StoredFile, UpdateTiming
from bot.sandbox.params import Handler
from bot.sandbox.spec import BotApiSpec
from bot.sandbox.users import FakeUser

__all__ = ["SandboxState", "WebhookConfig"]


@dataclass
class WebhookConfig:
    """The webhook set with setWebhook, and the last delivery error getWebhookInfo reports."""

    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


class SandboxState:
    """The state of the emulated Bot API for one bot (see ``FakeTelegram`` for what each attribute means)."""

    token: str
    base_url: str
    spec: BotApiSpec | None
    validate: bool
    enforce_rate_limits: bool
    global_per_second: int
    per_chat_per_second: float
    per_chat_burst: int
    webhook_retry_delay: float
    reply_delay: float
    bot_user: dict[str, Any]

    users: dict[int, FakeUser]
    chats: dict[int, FakeChat]
    sent: list[FakeMessage]
    violations: list[str]
    requests: list[ApiCall]
    callback_queries: dict[str, CallbackQueryRecord]
    chat_actions: list[tuple[int, str]]
    my_commands: dict[tuple[str, str], list[dict[str, Any]]]
    bot_settings: dict[str, dict[str, Any]]
    files: dict[str, StoredFile]
    blocked: set[int]
    webhook: WebhookConfig | None
    update_timings: dict[int, UpdateTiming]

    _updates: list[dict[str, Any]]
    last_update_id: int
    _update_ids: itertools.count[int]
    _query_ids: itertools.count[int]
    _file_numbers: itertools.count[int]
    _updates_changed: asyncio.Condition
    _messages_changed: asyncio.Condition
    _awaiting_reply: dict[int, list[UpdateTiming]]
    _chat_waiters: dict[int, list[asyncio.Future[None]]]
    _poll_generation: int
    _closing: bool
    _closed: bool
    _global_window: deque[float]
    _chat_buckets: dict[int, tuple[float, float]]
    _webhook_transport: httpx.AsyncBaseTransport | None
    _webhook_client: httpx.AsyncClient | None
    _webhook_task: asyncio.Task[None] | None
    _handlers: dict[str, tuple[str, Handler]]
