"""Texts of calls that did not connect and are tried again, and of calls that close with a correction."""

from __future__ import annotations

import html

from bot.i18n import translate
from bot.outreach.delivery import Contact
from bot.outreach.reports import ReportDraft
from bot.phones import display_phone
from models import Outcome

NAMED_ORDINALS = range(2, 8)
"""Attempts whose ordinal the catalog spells out (दूसरी … सातवीं); `outreach.max_attempts` is at most 7."""


def attempt_ordinal(language: str, attempt: int) -> str:
    """The attempt as an ordinal word: दूसरी, तीसरी … / 2nd, 3rd …"""
    if attempt in NAMED_ORDINALS:
        return translate(language, f"attempts.ordinal.{attempt}")
    return translate(language, "attempts.ordinal.many", n=attempt)


def repeat_line(language: str, contact: Contact) -> str | None:
    """The morning card's line marking a call tried again, or None for a first call."""
    if contact.attempt <= 1:
        return None
    return translate(language, "attempts.push.repeat", ordinal=attempt_ordinal(language, contact.attempt))


def reminder_lines(language: str, contacts: tuple[Contact, ...]) -> str:
    """The reminder's list of open calls, those that did not connect marked to be tried again."""
    lines = []
    for contact in contacts:
        line = f"• {html.escape(contact.president_name)} ({display_phone(contact.phone)})"
        if contact.try_again:
            line += " — " + translate(language, "attempts.reminder.try_again")
        lines.append(line)
    return "\n".join(lines)


def new_president_line(language: str, draft: ReportDraft) -> str | None:
    """The review's line naming who holds the post now, as the caller said, or None if not asked."""
    proposal = draft.new_president
    if not draft.not_president or proposal is None:
        return None
    if proposal.name is None or proposal.phone is None:
        value = translate(language, "attempts.review.not_known")
    else:
        value = f"{html.escape(proposal.name)}, {display_phone(proposal.phone)}"
    return translate(language, "attempts.review.new_president", value=value)


def saved_text(language: str, draft: ReportDraft, *, max_attempts: int) -> str:
    """The confirmation of a stored report: saved, and what happens to the call next."""
    name = html.escape(draft.president_name)
    if draft.outcome is Outcome.wrong_number:
        return translate(language, "attempts.saved.wrong_number", name=name)
    if draft.not_president:
        proposal = draft.new_president
        if proposal is not None and proposal.known:
            return translate(language, "attempts.saved.not_president_proposed", name=name,
                             new_name=html.escape(proposal.name or ""))
        return translate(language, "attempts.saved.not_president", name=name)
    if draft.not_connected and draft.outcome is not None:
        outcome = translate(language, f"outcome.{draft.outcome.value}")
        if draft.attempt >= max_attempts:
            return translate(language, "attempts.saved.unreachable", name=name, outcome=outcome,
                             count=draft.attempt)
        return translate(language, "attempts.saved.try_again", name=name, outcome=outcome,
                         ordinal=attempt_ordinal(language, draft.attempt + 1))
    return translate(language, "report.saved", name=name)
