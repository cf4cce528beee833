"""`/export`: the calls of a period as an Excel file, for the organisation secretary and admins only.

`/export` (today), `/export week`, `/export month` or with a date cover the whole state; the button under a
`/summary` view exports that view's area and period. Every export is written to the audit log before the
file is sent; everyone else gets a polite no.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import Viewer
from bot.errors import DomainError
from bot.i18n import translate
from bot.review.exports import calls_xlsx_bytes, export_area
from bot.review.periods import Level, Period
from handlers import callbacks as cb
from handlers.context import Context, answer, language_for, registered
from handlers.summary import parse_period_args, view_button
from handlers.texts.export import export_caption
from models import OfficeBearer


async def _send_export(update: Update, context: Context, session: AsyncSession, person: OfficeBearer, *,
                       level: Level, area_id: int, period: Period) -> str | None:
    """Export, log and send the file; the refusal's text when the person may not have it."""
    svc, language = context.services, language_for(context, person)
    try:
        export = await export_area(session, Viewer.of(person), level=level, area_id=area_id, period=period,
                                   timezone=svc.settings.outreach.zone, now=svc.clock(),
                                   focus=svc.settings.outreach.focus_lok_sabha)
    except DomainError as exc:
        return translate(language, exc.key, **exc.params)
    await session.commit()
    caption = export_caption(language, export.area, period, len(export.rows))
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(InputFile(calls_xlsx_bytes(export.rows, language), filename=export.filename),
                             caption=caption, parse_mode=ParseMode.HTML)
    return None


@registered
async def export_command(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The whole state's calls of today or the period asked for, as an Excel file."""
    language = language_for(context, person)
    period = parse_period_args(context.args or [], context.services.today())
    if period is None:
        await answer(update, translate(language, "review.usage", command="/export"))
        return
    refusal = await _send_export(update, context, session, person, level=Level.state, area_id=0, period=period)
    if refusal is not None:
        await answer(update, refusal)


@registered
async def export_button(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The export button under a summary view: that area's calls of that period."""
    query = update.callback_query
    assert query is not None
    language = language_for(context, person)
    button = view_button(query.data, context.services.today())
    if button is None:
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return
    level, area_id, period = button
    refusal = await _send_export(update, context, session, person, level=level, area_id=area_id, period=period)
    await query.answer(refusal, show_alert=refusal is not None)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/export` and the export button of summary views."""
    app.add_handler(CommandHandler("export", export_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(export_button, pattern=cb.pattern(cb.EXPORT)))
