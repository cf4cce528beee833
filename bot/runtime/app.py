"""build_application(settings): the python-telegram-bot Application with every handler and job."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes
from telegram.request import BaseRequest

from bot.config import Settings
from bot.db import SessionFactory
from bot.i18n import translate
from bot.runtime import jobs
from bot.runtime.outage import is_database_outage
from bot.runtime.persistence import DatabasePersistence
from bot.runtime.ratelimit import PacedRateLimiter
from handlers import admin, booth, charts, export, fallback, leave, needs, registration, report, summary, verification
from handlers import corrections as correction_handlers
from handlers import coverage as coverage_command
from handlers.context import Context, Services, ServicesContext, language_for

log = logging.getLogger(__name__)

MENU = ("start", "help", "summary", "booth", "needs", "flags", "chart", "export", "pause", "resume", "language",
        "corrections", "cancel", "privacy")
# Updates handled at once (different chats; one chat's updates always wait for each other). Each holds a
# database connection only while its handler runs; see benchmarks/README.md for how this was chosen.
CONCURRENT_UPDATES = 16


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Handles updates of different chats concurrently, and those of one chat one after another, in order.

    A person's taps then reach the report conversation in the order they were made, while 200 people
    reporting at once do not queue behind each other.
    """

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers for `update` once no earlier update of the same chat is being handled."""
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def utc_now() -> datetime:
    """The real clock, in UTC."""
    return datetime.now(UTC)


async def _on_error(update: object, context: Context) -> None:
    """Log the failure (no message texts, no tokens) and tell the person to try again.

    While the database is unreachable the log gets one line and the person "busy, try again in a few
    minutes"; a failing job is only logged, and the scheduler runs it again at its next time.
    """
    outage = is_database_outage(context.error)
    where = f"job {context.job.name}" if context.job is not None else "update handling"
    if outage:
        log.warning("%s: database unavailable (%s)", where, type(context.error).__name__)
    else:
        log.error("%s failed: %s", where, type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        text = translate(language_for(context, None), "error.busy" if outage else "error.generic")
        if update.callback_query:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await update.effective_chat.send_message(html.escape(text), parse_mode=ParseMode.HTML)


async def set_command_menu(app: Application) -> None:  # type: ignore[type-arg]
    """The command menu in Hindi (default) and English."""
    for language in ("hi", "en"):
        commands = [BotCommand(name, translate(language, f"menu.{name}")) for name in MENU]
        await app.bot.set_my_commands(commands, language_code=language)
    await app.bot.set_my_commands([BotCommand(n, translate("hi", f"menu.{n}")) for n in MENU])


def build_application(
    settings: Settings,
    sessions: SessionFactory,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Callable[[], datetime] = utc_now,
    update_processor: BaseUpdateProcessor | None = None,
    with_jobs: bool = True,
) -> Application:  # type: ignore[type-arg]
    """The bot: handlers, rate limiter, error handler and (unless `with_jobs` is off) the daily jobs.

    Updates are handled by `update_processor`, by default a `ChatOrderedUpdateProcessor`.
    """
    if not settings.telegram.token:
        raise ValueError("telegram.token is not set")
    builder = (Application.builder().token(settings.telegram.token).base_url(settings.telegram.base_url)
               .rate_limiter(PacedRateLimiter()).context_types(ContextTypes(context=ServicesContext)))
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    builder = builder.concurrent_updates(update_processor or ChatOrderedUpdateProcessor())
    builder = builder.persistence(DatabasePersistence(sessions))
    svc = Services(settings=settings, sessions=sessions, clock=clock)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await set_command_menu(app)
        if with_jobs:
            jobs.schedule(app, svc)

    app = builder.post_init(post_init).build()
    app.bot_data["services"] = svc
    registration.register_handlers(app)
    leave.register_handlers(app)
    report.register_handlers(app)
    summary.register_handlers(app)
    export.register_handlers(app)
    charts.register_handlers(app)
    booth.register_handlers(app)
    coverage_command.register_handlers(app)
    needs.register_handlers(app)
    correction_handlers.register_handlers(app)
    verification.register_handlers(app)
    admin.register_handlers(app)
    fallback.register_handlers(app)
    app.add_error_handler(_on_error)
    return app
