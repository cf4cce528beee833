"""Registration by shared phone number, help, privacy and the language switch."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ReplyKeyboardRemove, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.access import uses_dashboard
from bot.db import session_scope
from bot.errors import DomainError
from bot.i18n import translate
from bot.outreach.people import (
    InvalidInvite,
    find_booth_president,
    find_user,
    invited_president,
    mark_reachable,
    register,
    register_by_invite,
    set_language,
)
from handlers import callbacks as cb
from handlers import keyboards
from handlers.channel import show_dashboard_button
from handlers.context import Context, answer, language_for, registered
from handlers.verification import president_language
from models import CALLER_ROLES, BoothPresident, OfficeBearer

PRIVATE = filters.ChatType.PRIVATE
INVITE_KEY = "invite_token"
"""Where a user's invitation token waits (in their persisted user data) between `/start <token>` and the contact."""


def _user_data(context: Context) -> dict[Any, Any]:
    """The sender's persisted user data (every private-chat update has a sender)."""
    data = context.user_data
    assert data is not None
    return data


async def start(update: Update, context: Context) -> None:
    """Greet a registered person (office-bearer or booth president), or ask a new one for their phone number.

    `/start <token>` (the link in a caller's WhatsApp message) greets the booth president it was made for by
    name and asks for their own number; a wrong or revoked link gets a polite answer and nothing else.
    """
    assert update.effective_user
    token = context.args[0] if context.args else None
    async with session_scope(context.services.sessions) as session:
        person = await find_user(session, update.effective_user.id)
        if person is not None:
            await mark_reachable(session, person)
        president = None if person else await find_booth_president(session, update.effective_user.id)
        invited: BoothPresident | None = None
        if token and person is None and president is None:
            try:
                invited = await invited_president(session, token)
            except InvalidInvite as exc:
                await answer(update, translate(president_language(context, None), exc.key))
                return
    if president is not None:
        await answer(update, translate(president_language(context, president), "backcheck.welcome_back",
                                       name=html.escape(president.name)))
        return
    if invited is not None and token:
        language = president_language(context, invited)
        _user_data(context)[INVITE_KEY] = token
        await answer(update, translate(language, "reach.invite.greeting", name=html.escape(invited.name)),
                     reply_markup=keyboards.share_contact(language))
        return
    language = language_for(context, person)
    if person is None:
        await answer(update, translate(language, "register.ask_contact"),
                     reply_markup=keyboards.share_contact(language))
        return
    await answer(update, translate(language, "register.welcome_back", name=html.escape(person.name),
                                   role=translate(language, f"role.{person.role.value}")))


async def contact_shared(update: Update, context: Context) -> None:
    """Match the shared contact to the roster: only the sender's own number registers them.

    A booth president's number registers them for back-checks only: they are told what is stored and why,
    and see no roster data.
    """
    message, user = update.effective_message, update.effective_user
    assert message and message.contact and user
    svc = context.services
    token = _user_data(context).get(INVITE_KEY)
    try:
        async with session_scope(svc.sessions) as session:
            person: OfficeBearer | BoothPresident
            if isinstance(token, str):
                person = await register_by_invite(
                    session, token=token, telegram_user_id=user.id, contact_user_id=message.contact.user_id,
                    phone=message.contact.phone_number, language=president_language(context, None), now=svc.clock())
            else:
                person = await register(session, telegram_user_id=user.id, contact_user_id=message.contact.user_id,
                                        phone=message.contact.phone_number, now=svc.clock())
        _user_data(context).pop(INVITE_KEY, None)
    except DomainError as exc:
        if token and exc.key.startswith("reach.invite."):
            _user_data(context).pop(INVITE_KEY, None)
            await answer(update, translate(president_language(context, None), exc.key),
                         reply_markup=ReplyKeyboardRemove())
            return
        await answer(update, translate(language_for(context, None), exc.key, **exc.params),
                     reply_markup=ReplyKeyboardRemove() if exc.key == "register.unknown_number" else None)
        return
    if isinstance(person, BoothPresident):
        language = president_language(context, person)
        await answer(update, translate(language, "backcheck.registered", name=html.escape(person.name),
                                       privacy=privacy_text(context, language, president=True)),
                     reply_markup=ReplyKeyboardRemove())
        return
    language = language_for(context, person)
    key = "register.done" if person.role in CALLER_ROLES else "register.done_reviewer"
    await answer(update, translate(language, key, name=html.escape(person.name),
                                   role=translate(language, f"role.{person.role.value}")),
                 reply_markup=ReplyKeyboardRemove())
    await answer(update, privacy_text(context, language, president=False))
    dashboard = context.services.settings.web.public_url
    if dashboard and uses_dashboard(person) and update.effective_chat is not None:
        await show_dashboard_button(context.bot, update.effective_chat.id, translate(language, "web.menu_button"),
                                    dashboard)


async def help_command(update: Update, context: Context) -> None:
    """Explain, for the person's role, what the bot does and which commands they have."""
    assert update.effective_user
    async with session_scope(context.services.sessions) as session:
        person = await find_user(session, update.effective_user.id)
        president = None if person else await find_booth_president(session, update.effective_user.id)
    if president is not None:
        await answer(update, translate(president_language(context, president), "help.booth_president"))
        return
    language = language_for(context, person)
    role = person.role.value if person else "unregistered"
    await answer(update, translate(language, f"help.{role}"))


def privacy_text(context: Context, language: str, *, president: bool) -> str:
    """What is stored and why, who sees it, how long it is kept and how to ask for a copy or erasure.

    Booth presidents, who registered only to answer back-checks, get their own text.
    """
    key = "privacy.booth_president" if president else "privacy.text"
    return translate(language, key, days=context.services.settings.privacy.retention_days)


async def privacy(update: Update, context: Context) -> None:
    """Say what is stored about the person asking, and why: the booth presidents' text or the office-bearers'."""
    assert update.effective_user
    async with session_scope(context.services.sessions) as session:
        person = await find_user(session, update.effective_user.id)
        president = None if person else await find_booth_president(session, update.effective_user.id)
    if president is not None:
        await answer(update, privacy_text(context, president_language(context, president), president=True))
        return
    await answer(update, privacy_text(context, language_for(context, person), president=False))


@registered
async def choose_language(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Offer हिंदी and English."""
    await answer(update, translate(language_for(context, person), "language.choose"),
                 reply_markup=keyboards.languages())


@registered
async def language_chosen(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Store the chosen language and confirm in it."""
    query = update.callback_query
    assert query
    parsed = cb.parse(query.data)
    if parsed is None or parsed.value not in ("hi", "en"):
        await query.answer(translate(language_for(context, person), "button.stale"), show_alert=True)
        return
    await set_language(session, person, parsed.value)
    await session.commit()
    await query.answer()
    await query.edit_message_text(translate(parsed.value, "language.set"))


async def group_chat(update: Update, context: Context) -> None:
    """In a group the bot shows no roster data; it points people to a private chat instead."""
    await answer(update, translate(language_for(context, None), "group.private_only"))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add this feature's handlers to the application."""
    app.add_handler(MessageHandler(~PRIVATE & filters.COMMAND, group_chat))
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.CONTACT, contact_shared))
    app.add_handler(CommandHandler("help", help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("privacy", privacy, filters=PRIVATE))
    app.add_handler(CommandHandler("language", choose_language, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=cb.pattern(cb.LANGUAGE, cb.SET_LANGUAGE)))
