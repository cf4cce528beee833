"""What every handler shares: a context carrying the services, the person behind an update, their language."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Concatenate, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings, local_today
from bot.db import SessionFactory, session_scope
from bot.i18n import normalise_language, translate
from bot.outreach.people import find_user
from models import OfficeBearer


@dataclass(frozen=True)
class Services:
    """What handlers and jobs need from the process: settings, the session factory and the clock."""

    settings: Settings
    sessions: SessionFactory
    clock: Callable[[], datetime]

    def today(self) -> date:
        """Today's date in the configured timezone."""
        return local_today(self.clock(), self.settings.outreach.zone)


class ServicesContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of every handler and job, with the process's services typed (PTB's ContextTypes)."""

    __slots__ = ()

    @property
    def services(self) -> Services:
        """The services the application was built with (kept in its bot_data, which is never persisted)."""
        found: Services = self.application.bot_data["services"]
        return found


Context: TypeAlias = ServicesContext


def language_for(context: Context, person: OfficeBearer | None) -> str:
    """The language to answer in: the person's choice, else the configured default."""
    default = context.services.settings.outreach.default_language
    return normalise_language(person.language if person else None, default)


async def answer(update: Update, text: str, **kwargs: Any) -> None:
    """Reply in the chat of the update (message or button press) with HTML text."""
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(text, parse_mode=ParseMode.HTML, **kwargs)


PersonHandler = Callable[Concatenate[Update, Context, AsyncSession, OfficeBearer, ...], Awaitable[Any]]


def registered(handler: PersonHandler) -> Callable[[Update, Context], Awaitable[Any]]:
    """Open a unit of work, find the registered person behind the update, and refuse everyone else.

    The wrapped handler receives (update, context, session, person); the session commits when it returns.
    A handler that writes commits itself before replying, so that no write lock (SQLite) or pooled
    connection waits on a round trip to Telegram.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        user = update.effective_user
        if user is None:
            return None
        async with session_scope(context.services.sessions) as session:
            person = await find_user(session, user.id)
            if person is None:
                if update.callback_query:
                    await update.callback_query.answer(
                        translate(language_for(context, None), "register.needed_short"), show_alert=True)
                else:
                    await answer(update, translate(language_for(context, None), "register.needed"))
                return None
            return await handler(update, context, session, person)

    return wrapper
