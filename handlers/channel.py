"""The channel that sends the morning message and the evening reminder through Telegram."""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, MenuButtonWebApp, WebAppInfo
from telegram.constants import FloodLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.config import Settings
from bot.i18n import normalise_language
from bot.outreach.delivery import MorningMessage, PermanentFailure, Reminder, TemporaryFailure, Unreachable
from handlers import keyboards
from handlers.texts.morning import morning_text, reminder_text

log = logging.getLogger(__name__)


class TelegramChannel:
    """Sends the domain's messages through a python-telegram-bot `Bot` and translates its errors.

    With `paid_broadcast` the morning push goes with `allow_paid_broadcast` (up to 1000 messages a second,
    paid in Telegram Stars); everything else stays within the free 30 a second.
    """

    def __init__(self, bot: Bot, default_language: str, *, paid_broadcast: bool = False) -> None:
        self._bot = bot
        self._default_language = default_language
        self._paid_broadcast = paid_broadcast

    @property
    def max_rate(self) -> float:
        """Morning messages per second Telegram accepts from this bot."""
        if self._paid_broadcast:
            return float(FloodLimit.PAID_MESSAGES_PER_SECOND)
        return float(FloodLimit.MESSAGES_PER_SECOND)

    def _language(self, language: str | None) -> str:
        return normalise_language(language, self._default_language)

    async def send_morning(self, message: MorningMessage) -> int:
        """Send one morning message with its report buttons; return the Telegram message id."""
        language = self._language(message.language)
        text = morning_text(language, message, bot_username=self._bot_username(),
                            invite_language=self._default_language)
        return await self._send(message.chat_id, text,
                                keyboards.morning(language, message.contacts), paid=self._paid_broadcast)

    def _bot_username(self) -> str:
        """The bot's @username for invitation links; empty if the bot has not introduced itself (getMe) yet."""
        try:
            return self._bot.username
        except RuntimeError:
            return ""

    async def send_reminder(self, reminder: Reminder) -> int:
        """Send the evening reminder, with the report buttons of the calls still open."""
        language = self._language(reminder.language)
        return await self._send(reminder.chat_id, reminder_text(language, reminder),
                                keyboards.morning(language, reminder.contacts))

    async def send_text(self, chat_id: int, text: str) -> int:
        """Send a ready HTML text without buttons (a digest); return the Telegram message id."""
        return await self._send(chat_id, text, None)

    async def _send(self, chat_id: int, text: str, markup: object, *, paid: bool = False) -> int:
        try:
            sent = await self._bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,  # type: ignore[arg-type]
                link_preview_options=LinkPreviewOptions(is_disabled=True), allow_paid_broadcast=paid or None)
        except Forbidden as exc:
            raise Unreachable(_unreachable_reason(exc.message)) from None
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise Unreachable("not_started") from None
            raise PermanentFailure(exc.message) from None
        except (RetryAfter, TimedOut, NetworkError) as exc:
            raise TemporaryFailure(type(exc).__name__) from None
        return sent.message_id


async def show_in_place(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Put `text` on the message whose button was pressed; an unchanged message (a button pressed twice) is
    left as it is, any other refusal is raised."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def show_dashboard_button(bot: Bot, chat_id: int, text: str, url: str) -> bool:
    """Put the dashboard (a Mini App at `url`) behind the menu button of this person's chat; False, logged, when
    Telegram refuses (the dashboard stays reachable from the button under /summary)."""
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=MenuButtonWebApp(text, WebAppInfo(url)))
    except TelegramError as exc:
        log.info("menu button not set: %s", type(exc).__name__)
        return False
    return True


def channel_for(bot: Bot, settings: Settings) -> TelegramChannel:
    """The channel the settings ask for: the default language, and paid broadcast if allowed."""
    return TelegramChannel(bot, settings.outreach.default_language,
                           paid_broadcast=settings.telegram.allow_paid_broadcast)


def _unreachable_reason(description: str) -> str:
    text = description.lower()
    if "blocked" in text:
        return "blocked"
    if "deactivated" in text:
        return "deactivated"
    return "not_started"
