"""The morning message and the evening reminder in words: each contact with its booth and history."""

from __future__ import annotations

import html

from bot.i18n import format_day, translate
from bot.outreach.delivery import Contact, MorningMessage, Reminder
from bot.phones import display_phone
from handlers.texts.attempts import reminder_lines, repeat_line


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
    """The evening reminder naming the calls still open: unreported, or to be tried again."""
    key = "attempts.reminder.text" if any(c.try_again for c in reminder.contacts) else "reminder.text"
    return translate(language, key, name=html.escape(reminder.recipient_name),
                     calls=reminder_lines(language, reminder.contacts))
