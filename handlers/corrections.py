"""`/corrections`: booths whose president cannot be called as the roster stands, and their fix.

The district in-charge of the booth's district (or an admin) presses "✏️ new name and number", types the name
and the mobile number in one message, sees what the bot understood and sends it; an admin confirms or rejects
the proposal with the buttons, and a confirmed booth returns to the daily calls. The secretary sees the list.

Callback data (ASCII, through `handlers.callbacks`): `cor:pg:0:<page>` turns the page, `cor:np:<id>` asks for
the name and number, `cor:sv:<id>` sends them, `cor:x:<id>` leaves, `cor:ok:<id>:<stamp>` and
`cor:no:<id>:<stamp>` decide on the proposal on screen. The typed name and number wait in the person's user
data (kept across restarts) until sent; `/cancel` leaves. While a call report is open its own steps come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.errors import DomainError
from bot.i18n import translate
from bot.outreach.corrections import (
    PAGE_SIZE,
    CorrectionsPage,
    confirm,
    get_correction,
    list_corrections,
    may_propose,
    propose,
    reject,
)
from bot.outreach.reports import read_new_president
from bot.phones import display_phone
from handlers import callbacks as cb
from handlers.channel import show_in_place
from handlers.context import Context, answer, language_for, registered
from handlers.texts.corrections import (
    ask_name_and_number,
    decision_notice,
    proposal_sent,
    render_corrections,
    understood,
)
from models import CorrectionStatus, OfficeBearer

TYPING = "correction_typing"
"""The user-data key of a proposal being typed: `{"id": correction id, "name": ..., "phone": ...}`."""

PRIVATE = tg_filters.ChatType.PRIVATE


def split_name_and_number(text: str) -> tuple[str, str] | None:
    """The name and the E.164 mobile number in a message like "रमेश कुमार 98765 43210" (either way round),
    read as the report conversation reads a new president; None when they cannot be read."""
    try:
        found = read_new_president(text)
    except DomainError:
        return None
    return found.name, found.phone


class _Typing(tg_filters.UpdateFilter):
    """Updates from someone typing a proposal (their user data holds one)."""

    def __init__(self, user_data: Mapping[int, Mapping[Any, Any]]) -> None:
        super().__init__(name="correction_typing")
        self._user_data = user_data

    def filter(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and TYPING in self._user_data.get(user.id, {})


def corrections_keyboard(language: str, page: CorrectionsPage) -> InlineKeyboardMarkup | None:
    """A row per correction the person can act on (new name and number, or confirm and reject), and the page
    buttons; None when there is nothing to press."""
    rows = []
    for n, item in enumerate(page.items, start=page.page * PAGE_SIZE + 1):
        if item.status is CorrectionStatus.open and page.may_propose:
            rows.append([InlineKeyboardButton(translate(language, "corrections.button.new", n=n),
                                              callback_data=cb.build(cb.CORRECTIONS, cb.PROPOSE_PRESIDENT, item.id))])
        if item.status is CorrectionStatus.proposed and page.may_decide:
            stamp = str(item.stamp)
            rows.append([
                InlineKeyboardButton(translate(language, "corrections.button.confirm", n=n),
                                     callback_data=cb.build(cb.CORRECTIONS, cb.CONFIRM_PROPOSAL, item.id, stamp)),
                InlineKeyboardButton(translate(language, "corrections.button.reject", n=n),
                                     callback_data=cb.build(cb.CORRECTIONS, cb.REJECT_PROPOSAL, item.id, stamp))])
    turns = []
    if page.page > 0:
        turns.append(_page_button(language, "corrections.button.previous", page.page - 1))
    if page.page < page.pages - 1:
        turns.append(_page_button(language, "corrections.button.next", page.page + 1))
    if turns:
        rows.append(turns)
    return InlineKeyboardMarkup(rows) if rows else None


def _page_button(language: str, key: str, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(translate(language, key), callback_data=cb.build(cb.CORRECTIONS, cb.PAGE, 0, str(page)))


def _send_keyboard(language: str, correction_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(translate(language, "corrections.button.send"),
                             callback_data=cb.build(cb.CORRECTIONS, cb.SEND_PROPOSAL, correction_id)),
        InlineKeyboardButton(translate(language, "corrections.button.drop"),
                             callback_data=cb.build(cb.CORRECTIONS, cb.DROP_PROPOSAL, correction_id))]])


def _typing(context: Context) -> dict[str, Any] | None:
    found = context.user_data.get(TYPING) if context.user_data is not None else None
    return found if isinstance(found, dict) else None


def _stop_typing(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(TYPING, None)


@registered
async def corrections(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The pending corrections in the person's scope, oldest first, with their buttons."""
    language, svc = language_for(context, person), context.services
    try:
        page = await list_corrections(session, person, now=svc.clock())
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    await session.commit()
    await answer(update, render_corrections(language, page, zone=svc.settings.outreach.zone),
                 reply_markup=corrections_keyboard(language, page))


async def _relist(session: AsyncSession, person: OfficeBearer, context: Context, page: int,
                  notice: str | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
    language, svc = language_for(context, person), context.services
    listing = await list_corrections(session, person, page=page, now=svc.clock())
    return (render_corrections(language, listing, zone=svc.settings.outreach.zone, notice=notice),
            corrections_keyboard(language, listing))


@registered
async def pressed(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A button of a corrections list or of a proposal being typed."""
    query = update.callback_query
    assert query
    language, svc = language_for(context, person), context.services
    parsed = cb.parse(query.data)
    if parsed is None:
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return
    try:
        if parsed.action == cb.PAGE and parsed.value.isdigit():
            text, markup = await _relist(session, person, context, int(parsed.value))
        elif parsed.action == cb.PROPOSE_PRESIDENT:
            await _begin(update, context, session, person, parsed.record_id)
            return
        elif parsed.action == cb.SEND_PROPOSAL:
            await _send(update, context, session, person, parsed.record_id)
            return
        elif parsed.action == cb.DROP_PROPOSAL:
            _stop_typing(context)
            await query.answer()
            await show_in_place(query, translate(language, "corrections.cancelled"), None)
            return
        elif parsed.action in (cb.CONFIRM_PROPOSAL, cb.REJECT_PROPOSAL) and parsed.value.isdigit():
            item = await get_correction(session, person, correction_id=parsed.record_id)
            confirmed = parsed.action == cb.CONFIRM_PROPOSAL
            decide = confirm if confirmed else reject
            await decide(session, person, correction_id=parsed.record_id, now=svc.clock(), stamp=int(parsed.value))
            text, markup = await _relist(session, person, context, 0,
                                         decision_notice(language, item, confirmed=confirmed))
        else:
            await query.answer(translate(language, "button.stale"), show_alert=True)
            return
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **exc.params), show_alert=True)
        return
    await session.commit()
    await query.answer()
    await show_in_place(query, text, markup)


async def _begin(update: Update, context: Context, session: AsyncSession, person: OfficeBearer,
                 correction_id: int) -> None:
    """"New name and number": the person is asked to type them; their next message is read as the proposal."""
    query = update.callback_query
    assert query and context.user_data is not None
    language = language_for(context, person)
    item = await get_correction(session, person, correction_id=correction_id)
    if not may_propose(person):
        await query.answer(translate(language, "access.denied"), show_alert=True)
        return
    if item.status is not CorrectionStatus.open:
        await query.answer(translate(language, "corrections.stale"), show_alert=True)
        return
    context.user_data[TYPING] = {"id": correction_id}
    await query.answer()
    await answer(update, ask_name_and_number(language, item))


async def _send(update: Update, context: Context, session: AsyncSession, person: OfficeBearer,
                correction_id: int) -> None:
    """"Yes, send": the typed name and number become the correction's proposal."""
    query = update.callback_query
    assert query
    language, svc = language_for(context, person), context.services
    typed = _typing(context)
    if typed is None or typed.get("id") != correction_id or not typed.get("phone"):
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return
    item = await propose(session, person, correction_id=correction_id, name=typed["name"], phone=typed["phone"],
                         now=svc.clock())
    await session.commit()
    _stop_typing(context)
    await query.answer()
    await show_in_place(query, proposal_sent(language, item), None)


@registered
async def typed(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """The name and number typed for a correction: shown back to be sent, or a hint when they cannot be read."""
    language = language_for(context, person)
    message, draft = update.effective_message, _typing(context)
    if message is None or draft is None:
        return
    found = split_name_and_number(message.text or "")
    if found is None:
        await answer(update, translate(language, "corrections.hint"))
        return
    try:
        item = await get_correction(session, person, correction_id=int(draft["id"]))
    except DomainError as exc:
        _stop_typing(context)
        await answer(update, translate(language, exc.key, **exc.params))
        return
    name, phone = found
    draft.update(name=name, phone=phone)
    await answer(update, understood(language, item, name=name, phone=display_phone(phone)),
                 reply_markup=_send_keyboard(language, int(draft["id"])))


async def cancel_typing(update: Update, context: Context) -> None:
    """`/cancel` while typing a proposal: nothing is sent; no other handler answers this `/cancel`."""
    _stop_typing(context)
    await _cancelled(update, context)
    raise ApplicationHandlerStop


@registered
async def _cancelled(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    await answer(update, translate(language_for(context, person), "corrections.cancelled"))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/corrections`, its buttons, the typed name and number, and `/cancel` while typing them.

    Register after the report conversation: an open call report takes typed text first. `/cancel` while
    typing is handled in an earlier group, before the report's own "nothing to cancel" answer.
    """
    typing = _Typing(app.user_data)
    app.add_handler(CommandHandler("cancel", cancel_typing, filters=PRIVATE & typing), group=-1)
    app.add_handler(CommandHandler("corrections", corrections, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{cb.CORRECTIONS}:"))
    app.add_handler(MessageHandler(PRIVATE & typing & tg_filters.TEXT & ~tg_filters.COMMAND, typed))
