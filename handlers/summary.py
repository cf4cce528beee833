"""`/summary`: progress for the organisation secretary, admins, and district in-charges (own districts)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.i18n import translate
from bot.summaries import render_summary, summarise
from handlers.common import Context, answer, language_for, registered, services
from models import OfficeBearer, Role

SEE_ALL = (Role.organisation_secretary, Role.admin)


@registered
async def summary(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Today's (or with `week`, the last seven days') progress, for those allowed to see it."""
    language = language_for(context, person)
    if person.role not in (*SEE_ALL, Role.district_incharge):
        await answer(update, translate(language, "summary.not_allowed"))
        return
    args = [a.lower() for a in (context.args or [])]
    if args and args[0] not in ("week", "today"):
        await answer(update, translate(language, "summary.usage"))
        return
    end = services(context).today()
    start = end - timedelta(days=6) if args[:1] == ["week"] else end
    districts = None if person.role in SEE_ALL else [d.id for d in person.districts]
    result = await summarise(session, start=start, end=end, district_ids=districts)
    await answer(update, render_summary(result, language, html=True))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/summary`."""
    app.add_handler(CommandHandler("summary", summary, filters=filters.ChatType.PRIVATE))
