"""`/booth 172 45`: one booth at a glance — place, president, calls heard, strength over time, open needs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import view_scope
from bot.errors import DomainError
from bot.i18n import translate
from bot.review.booths import BoothView, booth_view, get_booth
from handlers import callbacks as cb
from handlers.context import Context, answer, language_for, registered
from handlers.texts.booth import render_booth
from models import OfficeBearer


def parse_booth_ref(args: Sequence[str]) -> tuple[int, int] | None:
    """The assembly and booth numbers of `/booth 172 45` (also `172/45`), or None when they are not two
    positive numbers."""
    parts = " ".join(args).replace("/", " ").replace(",", " ").split()
    if len(parts) != 2 or not all(part.isdigit() and int(part) > 0 for part in parts):
        return None
    return int(parts[0]), int(parts[1])


def booth_keyboard(language: str, view: BoothView) -> InlineKeyboardMarkup | None:
    """A button to follow up the booth's needs, for those who may."""
    if not view.needs_manageable:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        translate(language, "booth.needs_button", count=len(view.needs)),
        callback_data=cb.build(cb.NEEDS, cb.OPEN_BOOTH_NEEDS, view.booth.id))]])


@registered
async def booth(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Show one booth to those who look after it; explain the command when the numbers are missing."""
    language, svc = language_for(context, person), context.services
    ref = parse_booth_ref(context.args or [])
    if ref is None:
        await answer(update, translate(language, "booth.usage"))
        return
    assembly_no, booth_no = ref
    try:
        view = await booth_view(session, person, assembly_no=assembly_no, booth_no=booth_no, today=svc.today(),
                                now=svc.clock())
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    await session.commit()
    text = render_booth(view, language, today=svc.today(), zone=svc.settings.outreach.zone)
    await answer(update, text, reply_markup=booth_keyboard(language, view))


@registered
async def booth_button(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A booth's button under an assembly seat's summary: the booth view, as `/booth` shows it, if the presser
    may see the booth."""
    query = update.callback_query
    assert query is not None
    language, svc = language_for(context, person), context.services
    parsed = cb.parse(query.data)
    if parsed is None:
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return
    try:
        place = await get_booth(session, view_scope(person), parsed.record_id)
        view = await booth_view(session, person, assembly_no=place.assembly_no, booth_no=place.number,
                                today=svc.today(), now=svc.clock())
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **exc.params), show_alert=True)
        return
    await session.commit()
    await query.answer()
    text = render_booth(view, language, today=svc.today(), zone=svc.settings.outreach.zone)
    await answer(update, text, reply_markup=booth_keyboard(language, view))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/booth` (private chats only) and the booth buttons of assembly seats' summaries."""
    app.add_handler(CommandHandler("booth", booth, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(booth_button, pattern=cb.pattern(cb.BOOTH, cb.OPEN_BOOTH)))
