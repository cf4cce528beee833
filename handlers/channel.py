"""The morning message and the evening reminder as Telegram sees them, and the channel that sends them."""

from __future__ import annotations

import html
import logging

from telegram import Bot, LinkPreviewOptions
from telegram.constants import FloodLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.config import Settings
from bot.i18n import format_day, normalise_language, translate
from bot.outreach.delivery import Contact, MorningMessage, PermanentFailure, Reminder, TemporaryFailure, Unreachable
from bot.phones import display_phone
from handlers import keyboards

log = logging.getLogger(__name__)


def _contact_block(language: str, contact: Contact) -> str:
    lines = [
        translate(language, "push.contact.name", n=contact.slot, name=html.escape(contact.president_name),
                  phone=display_phone(contact.phone)),
        translate(language, "push.contact.booth", booth_no=contact.booth_no,
                  booth_name=html.escape(contact.booth_name), mandal=html.escape(contact.mandal)),
        translate(language, "push.contact.place", assembly_no=contact.assembly_no,
                  assembly=html.escape(contact.assembly), district=html.escape(contact.district),
                  lok_sabha=html.escape(contact.lok_sabha)),
    ]
    if contact.strength is not None:
        lines.append(translate(language, "push.contact.strength",
                               strength=translate(language, f"strength.{contact.strength.value}")))
    last = contact.last_call
    if last is None:
        lines.append(translate(language, "push.contact.first_call"))
    else:
        needs = ", ".join(translate(language, f"need.{n.value}") for n in last.open_needs)
        lines.append(translate(language, "push.contact.last_call", day=format_day(language, last.day),
                               outcome=translate(language, f"outcome.{last.outcome.value}"),
                               needs=needs or translate(language, "report.none")))
    lines.append(translate(language, "push.contact.whatsapp", link=f"https://wa.me/{contact.phone.lstrip('+')}"))
    return "\n".join(lines)


def morning_text(language: str, message: MorningMessage) -> str:
    """The morning message: greeting, each contact with its booth and history, and the talking points."""
    parts = [translate(language, "push.header", name=html.escape(message.recipient_name),
                       day=format_day(language, message.day), count=len(message.contacts))]
    parts += [_contact_block(language, contact) for contact in message.contacts]
    parts.append(translate(language, "push.talking_points"))
    return "\n\n".join(parts)


def reminder_text(language: str, reminder: Reminder) -> str:
    """The evening reminder naming the calls still unreported."""
    names = "\n".join(f"• {html.escape(c.president_name)} ({display_phone(c.phone)})" for c in reminder.contacts)
    return translate(language, "reminder.text", name=html.escape(reminder.recipient_name), calls=names)


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
        return await self._send(message.chat_id, morning_text(language, message),
                                keyboards.morning(language, message.contacts), paid=self._paid_broadcast)

    async def send_reminder(self, reminder: Reminder) -> int:
        """Send the evening reminder, with the report buttons of the calls still open."""
        language = self._language(reminder.language)
        return await self._send(reminder.chat_id, reminder_text(language, reminder),
                                keyboards.morning(language, reminder.contacts))

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
