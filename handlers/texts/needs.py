"""The needs lists in words: a page of needs with their booths, status, age, owner and due day, what a button
changed, the handover choice, the secretary's escalation and the booth president's notice of a need met."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

from bot.i18n import enum_label, format_day, translate
from bot.review.needs import PAGE_SIZE, Handover, NeedItem, NeedsPage, OverdueNeed, ResolutionNotice
from handlers.texts.booth import need_age, need_label
from handlers.texts.fit import fit_to_message
from models import NeedStatus, Role


def render_needs(language: str, page: NeedsPage, *, today: date, zone: ZoneInfo, notice: str | None = None) -> str:
    """The page as Telegram HTML: what just changed (if anything), a title, and each need with its booth."""
    lines = [notice, ""] if notice else []
    booth = page.booth
    if booth is None:
        lines.append(translate(language, "needs.title", total=page.total, page=page.page + 1, pages=page.pages))
    else:
        lines.append(translate(language, "needs.title_booth", number=booth.number, name=html.escape(booth.name),
                               total=page.total, page=page.page + 1, pages=page.pages))
    if not page.items:
        lines.append(translate(language, "needs.none"))
    for n, item in enumerate(page.items, start=page.page * PAGE_SIZE + 1):
        lines.append(translate(language, "needs.item", n=n, need=need_label(language, item.category, item.detail)))
        if booth is None:
            lines.append(translate(language, "needs.item_booth", booth_no=item.booth_no,
                                   booth_name=html.escape(item.booth_name), assembly_no=item.assembly_no,
                                   assembly=html.escape(item.assembly), district=html.escape(item.district)))
        lines.append(translate(language, "needs.item_state", status=enum_label(language, item.status),
                               age=need_age(language, item.created_at, today=today, zone=zone)))
        lines.append(owner_line(language, item, today=today))
    return "\n".join(lines)


def owner_label(language: str, name: str | None) -> str:
    """Who follows a need up, escaped for HTML: the owner's name, or the organisation secretary's queue."""
    return html.escape(name) if name is not None else enum_label(language, Role.organisation_secretary)


def owner_line(language: str, item: NeedItem, *, today: date) -> str:
    """The need's owner and the day it is due, marked ⏰ once that day has passed."""
    due = ""
    if item.due_on is not None:
        key = "needs.overdue" if item.overdue(today) else "needs.due"
        due = translate(language, key, day=format_day(language, item.due_on))
    return translate(language, "needs.item_owner", owner=owner_label(language, item.owner_name), due=due)


def change_notice(language: str, changed: NeedItem, to: NeedStatus) -> str:
    """What a status button just did: which need, at which booth, is now in which status."""
    return translate(language, "needs.changed", need=need_label(language, changed.category, changed.detail),
                     booth_no=changed.booth_no, assembly_no=changed.assembly_no, status=enum_label(language, to))


def handover_text(language: str, handover: Handover) -> str:
    """The question whom to hand a need to, with its booth and present owner (and a word if no one else is
    there to take it)."""
    need = handover.need
    text = translate(language, "needs.handover.ask", need=need_label(language, need.category, need.detail),
                     booth_no=need.booth_no, assembly_no=need.assembly_no,
                     owner=owner_label(language, need.owner_name))
    return text if handover.targets else f"{text}\n{translate(language, 'needs.handover.nobody')}"


def handover_notice(language: str, item: NeedItem) -> str:
    """What a handover button just did: which need, at which booth, now with whom."""
    return translate(language, "needs.handover.done", need=need_label(language, item.category, item.detail),
                     booth_no=item.booth_no, assembly_no=item.assembly_no,
                     owner=owner_label(language, item.owner_name))


def resolved_notice_text(notice: ResolutionNotice) -> str:
    """The booth president's word that their booth's need was met, in their language: the need's own words,
    or its category when it has none."""
    words = notice.detail if notice.detail else enum_label(notice.language, notice.category)
    return translate(notice.language, "needs.resolved_notice", name=html.escape(notice.president_name),
                     words=html.escape(words))


def escalation_text(language: str, overdue: tuple[OverdueNeed, ...]) -> str:
    """The organisation secretary's list of needs past their due day (booth, words, owner, days late), cut
    to fit one message with a count of the rest."""

    def lines(limit: int) -> Iterator[str]:
        yield translate(language, "needs.escalation.title", count=len(overdue))
        for n, entry in enumerate(overdue[:limit], start=1):
            need = entry.need
            yield translate(language, "needs.escalation.item", n=n, booth_no=need.booth_no,
                            booth_name=html.escape(need.booth_name), assembly_no=need.assembly_no,
                            district=html.escape(need.district), need=need_label(language, need.category, need.detail),
                            owner=owner_label(language, need.owner_name), days=entry.days_overdue)
        if len(overdue) > limit:
            yield translate(language, "needs.escalation.more", count=len(overdue) - limit)

    return fit_to_message(lines)
