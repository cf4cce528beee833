"""Leave: `/pause 15.12` stops contacts up to and including that day, `/resume` ends the leave early."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.errors import DomainError
from bot.i18n import format_day, translate
from bot.outreach.people import MAX_LEAVE_DAYS, pause_calls, resume_calls
from handlers.context import Context, answer, language_for, registered
from models import OfficeBearer

_DAY_MONTH = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")


def parse_leave_date(text: str, today: date) -> date | None:
    """Read a date as people in India write it (15.12, 15/12/2026, 15-12-26) or as 2026-12-15.

    Without a year it is the next such day from today on. None when it is not a date.
    """
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _DAY_MONTH.match(text)
    if not found:
        return None
    day, month, year = int(found[1]), int(found[2]), found[3]
    try:
        if year:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        this_year = date(today.year, month, day)
        return this_year if this_year >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


@registered
async def pause(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Go on leave until the date given; without one, explain how."""
    language, svc = language_for(context, person), context.services
    today = svc.today()
    until = parse_leave_date(" ".join(context.args or []), today) if context.args else None
    if until is None:
        await answer(update, translate(language, "leave.usage", days=MAX_LEAVE_DAYS))
        return
    try:
        await pause_calls(session, person, until=until, today=today, now=svc.clock(), actor="self")
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    await session.commit()
    await answer(update, translate(language, "leave.paused", until=format_day(language, until)))


@registered
async def resume(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Come back from leave before the date given."""
    language = language_for(context, person)
    ended = await resume_calls(session, person, now=context.services.clock(), actor="self")
    await session.commit()
    await answer(update, translate(language, "leave.resumed" if ended else "leave.not_on_leave"))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add /pause and /resume (private chats only)."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("pause", pause, filters=private))
    app.add_handler(CommandHandler("resume", resume, filters=private))
