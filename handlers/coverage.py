"""`/coverage`: how many booth presidents were really talked to in the last 30 and 90 days, per Lok Sabha seat
(focus seats marked) for the organisation secretary and admins, per district for a district in-charge, and
the weak and focus booths nobody has talked to for `review.silent_days`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.access import review_scope
from bot.errors import DomainError
from bot.i18n import translate
from bot.review.coverage import coverage_report
from handlers.context import Context, answer, language_for, registered
from handlers.texts.coverage import render_coverage
from models import OfficeBearer


@registered
async def coverage(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The coverage of the districts the person reviews (all for the secretary and admins); others are refused."""
    language, svc = language_for(context, person), context.services
    try:
        district_ids = review_scope(person)
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    report = await coverage_report(session, district_ids=district_ids,
                                   focus=svc.settings.outreach.focus_lok_sabha, today=svc.today(),
                                   silent_days=svc.settings.review.silent_days)
    await answer(update, render_coverage(report, language))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/coverage` (private chats only)."""
    app.add_handler(CommandHandler("coverage", coverage, filters=filters.ChatType.PRIVATE))
