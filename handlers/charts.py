"""`/chart [week|month]`: the charts as photos, for the organisation secretary, admins (every district) and
district in-charges (their own districts)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.access import review_scope
from bot.errors import NotAllowed
from bot.i18n import translate
from bot.review.charts import describe_period, render_charts
from bot.review.trends import gather_trends
from handlers.context import Context, answer, language_for, registered
from models import OfficeBearer

PERIOD_DAYS = {"week": 7, "सप्ताह": 7, "हफ्ता": 7, "month": 30, "महीना": 30}
"""The days each period word of `/chart` covers, up to and including today."""

CHART_NAMES = ("reporting", "outcomes", "needs")
"""File names of the photos, in the order `render_charts` draws them."""


@registered
async def chart(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The last seven (or with `month`, thirty) days in three pictures, for those allowed to see them."""
    language = language_for(context, person)
    try:
        districts = review_scope(person)
    except NotAllowed:
        await answer(update, translate(language, "chart.not_allowed"))
        return
    args = [a.lower() for a in (context.args or [])]
    period = args[0] if args else "week"
    if len(args) > 1 or period not in PERIOD_DAYS:
        await answer(update, translate(language, "chart.usage"))
        return
    end = context.services.today()
    start = end - timedelta(days=PERIOD_DAYS[period] - 1)
    trends = await gather_trends(session, start=start, end=end, district_ids=districts)
    await session.commit()  # ends the read: the connection goes back to the pool before drawing and uploading
    if trends.empty:
        await answer(update, translate(language, "chart.none_in_scope",
                                       period=describe_period(language, trends.period)))
        return
    chat = update.effective_chat
    if chat is None:
        return
    images = await asyncio.to_thread(render_charts, trends, language)
    for name, image in zip(CHART_NAMES, images, strict=True):
        await chat.send_photo(image, filename=f"{name}.png")


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/chart`."""
    app.add_handler(CommandHandler("chart", chart, filters=filters.ChatType.PRIVATE))
