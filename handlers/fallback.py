"""The last word: private messages and buttons no other handler took get a helpful answer, never silence.

Registered after every feature, so it only sees what nothing else matched: an unknown command, text or a
picture outside any conversation, or a button of an old version of the bot.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.db import session_scope
from bot.i18n import translate
from bot.outreach.people import find_booth_president, find_user
from handlers.context import Context, answer, language_for
from models import BoothPresident, OfficeBearer

PRIVATE = filters.ChatType.PRIVATE


async def _whom(update: Update, context: Context) -> tuple[OfficeBearer | None, BoothPresident | None]:
    """The office-bearer, else the booth president, behind the update (both None for a stranger)."""
    assert update.effective_user is not None
    async with session_scope(context.services.sessions) as session:
        person = await find_user(session, update.effective_user.id)
        president = None if person else await find_booth_president(session, update.effective_user.id)
    return person, president


async def unmatched_message(update: Update, context: Context) -> None:
    """An unknown command or a message outside any conversation: say what the bot understands."""
    message = update.effective_message
    if update.effective_user is None or message is None:
        return
    person, president = await _whom(update, context)
    if person is None and president is None:
        key = "fallback.register"
    elif message.text and message.text.startswith("/"):
        key = "fallback.unknown_command"
    else:
        key = "fallback.not_understood"
    await answer(update, translate(language_for(context, person), key))


async def unmatched_button(update: Update, context: Context) -> None:
    """A button no feature recognises (an old message, or forged data): answered as stale."""
    if update.callback_query is None or update.effective_user is None:
        return
    person, _ = await _whom(update, context)
    await update.callback_query.answer(translate(language_for(context, person), "button.stale"), show_alert=True)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add the catch-alls; call this after every other feature's `register_handlers`."""
    app.add_handler(MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL & ~filters.UpdateType.EDITED,
                                   unmatched_message))
    app.add_handler(CallbackQueryHandler(unmatched_button))
