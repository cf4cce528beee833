"""`/needs` (or `/needs 172 45` for one booth): the needs a district in-charge, the secretary or an admin
follows up, oldest first, a page at a time, with buttons to mark each in progress or resolved, or reopen it.

Callback data (ASCII, through `handlers.callbacks`):
`nd:pg:<booth id, 0 for all>:<page>` turns the page, `nd:bo:<booth id>` opens a booth's needs from the booth
view, and `nd:<seen><to>:<need id>:<booth id>.<page>` changes a need from the status on screen to another,
then shows the same page again. A button whose need has changed since is stale; one for a need outside the
person's districts is refused.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import needs_scope
from bot.errors import DomainError
from bot.i18n import translate
from bot.review.booths import find_booth
from bot.review.needs import PAGE_SIZE, NeedItem, NeedsPage, change_need_status, list_needs
from handlers import callbacks as cb
from handlers.booth import parse_booth_ref
from handlers.callbacks import ListRef
from handlers.channel import show_in_place
from handlers.context import Context, answer, language_for, registered
from handlers.texts.needs import change_notice, render_needs
from models import NeedStatus, OfficeBearer

BUTTON_KEYS = {NeedStatus.in_progress: "needs.button.in_progress", NeedStatus.resolved: "needs.button.resolved",
               NeedStatus.open: "needs.button.reopen"}
"""The label of a status button, by the status it changes a need to."""


def _status_button(language: str, code: str, need_id: int, n: int, ref: ListRef) -> InlineKeyboardButton:
    return InlineKeyboardButton(translate(language, BUTTON_KEYS[cb.NEED_STATUS_CHANGES[code][1]], n=n),
                                callback_data=cb.build(cb.NEEDS, code, need_id, ref.code()))


def needs_keyboard(language: str, page: NeedsPage, *,
                   resolved: NeedItem | None = None) -> InlineKeyboardMarkup | None:
    """One row per need (start work or reopen, and resolve), a reopen button for a need just resolved, and
    the page buttons; None when there is nothing to press."""
    ref = ListRef(page.booth.id if page.booth else None, page.page)
    rows = []
    if resolved is not None:
        reopen = cb.status_change(NeedStatus.resolved, NeedStatus.open)
        rows.append([InlineKeyboardButton(translate(language, "needs.button.undo"),
                                          callback_data=cb.build(cb.NEEDS, reopen, resolved.id, ref.code()))])
    for n, item in enumerate(page.items, start=page.page * PAGE_SIZE + 1):
        start_or_reopen = NeedStatus.in_progress if item.status is NeedStatus.open else NeedStatus.open
        rows.append([_status_button(language, cb.status_change(item.status, start_or_reopen), item.id, n, ref),
                     _status_button(language, cb.status_change(item.status, NeedStatus.resolved), item.id, n, ref)])
    turns = []
    if page.page > 0:
        turns.append(_page_button(language, "needs.button.previous", ListRef(ref.booth_id, page.page - 1)))
    if page.page < page.pages - 1:
        turns.append(_page_button(language, "needs.button.next", ListRef(ref.booth_id, page.page + 1)))
    if turns:
        rows.append(turns)
    return InlineKeyboardMarkup(rows) if rows else None


def _page_button(language: str, key: str, target: ListRef) -> InlineKeyboardButton:
    return InlineKeyboardButton(translate(language, key),
                                callback_data=cb.build(cb.NEEDS, cb.PAGE, target.booth_id or 0, str(target.page)))


@registered
async def needs(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The needs the person follows up, or with `172 45` those of one booth."""
    language, svc = language_for(context, person), context.services
    args = context.args or []
    ref = parse_booth_ref(args) if args else None
    if args and ref is None:
        await answer(update, translate(language, "needs.usage"))
        return
    try:
        booth_id = None
        if ref is not None:
            booth_id = (await find_booth(session, needs_scope(person), assembly_no=ref[0], booth_no=ref[1])).id
        page = await list_needs(session, person, booth_id=booth_id)
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    await answer(update, render_needs(language, page, today=svc.today(), zone=svc.settings.outreach.zone),
                 reply_markup=needs_keyboard(language, page))


@registered
async def pressed(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A button of a needs list or of a booth view: turn the page, open a booth's needs, or change a status."""
    query = update.callback_query
    assert query
    language, svc = language_for(context, person), context.services
    parsed = cb.parse(query.data)
    ref = cb.needs_list_of(parsed) if parsed else None
    if parsed is None or ref is None:
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return
    notice, changed = None, None
    try:
        if parsed.action in cb.NEED_STATUS_CHANGES:
            seen, to = cb.NEED_STATUS_CHANGES[parsed.action]
            changed = await change_need_status(session, person, need_id=parsed.record_id, seen=seen, to=to,
                                               now=svc.clock())
            notice = change_notice(language, changed, to)
        page = await list_needs(session, person, booth_id=ref.booth_id, page=ref.page)
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **exc.params), show_alert=True)
        return
    await session.commit()
    await query.answer()
    text = render_needs(language, page, today=svc.today(), zone=svc.settings.outreach.zone, notice=notice)
    markup = needs_keyboard(language, page, resolved=changed if changed and changed.status is NeedStatus.resolved
                            else None)
    if parsed.action == cb.OPEN_BOOTH_NEEDS:
        await answer(update, text, reply_markup=markup)
    else:
        await show_in_place(query, text, markup)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/needs` (private chats only) and the buttons of its lists."""
    app.add_handler(CommandHandler("needs", needs, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{cb.NEEDS}:"))
