"""The morning message and the evening reminder in words: each contact with its booth and history."""

from __future__ import annotations

import html
from urllib.parse import quote

from bot.i18n import enum_label, format_day, translate
from bot.outreach.delivery import Contact, MorningMessage, Reminder
from bot.phones import display_phone
from handlers.texts.attempts import reminder_lines, repeat_line


def whatsapp_link(contact: Contact, *, bot_username: str, invite_language: str) -> str:
    """The `wa.me` link opening a WhatsApp chat with the booth president, its message already written.

    The message introduces the caller and carries the bot's invitation link (`?start=<token>`), in the
    language booth presidents are spoken to in; without a token or a bot name the chat opens empty.
    """
    link = f"https://wa.me/{contact.phone.lstrip('+')}"
    if not contact.invite_token or not bot_username:
        return link
    caller = contact.caller_name
    if contact.caller_role is not None:
        caller = f"{caller} ({enum_label(invite_language, contact.caller_role)})"
    text = translate(invite_language, "reach.whatsapp.intro", president=contact.president_name, caller=caller,
                     link=f"https://t.me/{bot_username}?start={contact.invite_token}")
    return f"{link}?text={quote(text, safe='')}"


def _contact_block(language: str, contact: Contact, *, bot_username: str = "", invite_language: str = "hi") -> str:
    lines = [
        translate(language, "push.contact.name", n=contact.slot, name=html.escape(contact.president_name),
                  phone=display_phone(contact.phone)),
        translate(language, "push.contact.booth", booth_no=contact.booth_no,
                  booth_name=html.escape(contact.booth_name), mandal=html.escape(contact.mandal)),
        translate(language, "push.contact.place", assembly_no=contact.assembly_no,
                  assembly=html.escape(contact.assembly), district=html.escape(contact.district),
                  lok_sabha=html.escape(contact.lok_sabha)),
    ]
    if (repeat := repeat_line(language, contact)) is not None:
        lines.insert(1, repeat)
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
    lines.append(translate(language, "push.contact.whatsapp", link=html.escape(
        whatsapp_link(contact, bot_username=bot_username, invite_language=invite_language))))
    return "\n".join(lines)


def morning_text(language: str, message: MorningMessage, *, bot_username: str = "", invite_language: str = "hi") -> str:
    """The morning message: greeting, each contact with its booth and history, and the talking points.

    `bot_username` and `invite_language` make each WhatsApp link carry the booth president's invitation.
    """
    parts = [translate(language, "push.header", name=html.escape(message.recipient_name),
                       day=format_day(language, message.day), count=len(message.contacts))]
    parts += [_contact_block(language, contact, bot_username=bot_username, invite_language=invite_language)
              for contact in message.contacts]
    parts.append(translate(language, "push.talking_points"))
    return "\n\n".join(parts)


def reminder_text(language: str, reminder: Reminder) -> str:
    """The evening reminder naming the calls still open: unreported, or to be tried again."""
    key = "attempts.reminder.text" if any(c.try_again for c in reminder.contacts) else "reminder.text"
    return translate(language, key, name=html.escape(reminder.recipient_name),
                     calls=reminder_lines(language, reminder.contacts))
