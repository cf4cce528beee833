"""The needs lists in words: a page of needs with their booths, status and age, and what a button changed."""

from __future__ import annotations

import html
from datetime import date
from zoneinfo import ZoneInfo

from bot.i18n import enum_label, translate
from bot.review.needs import PAGE_SIZE, NeedItem, NeedsPage
from handlers.texts.booth import need_age, need_label
from models import NeedStatus


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
    return "\n".join(lines)


def change_notice(language: str, changed: NeedItem, to: NeedStatus) -> str:
    """What a status button just did: which need, at which booth, is now in which status."""
    return translate(language, "needs.changed", need=need_label(language, changed.category, changed.detail),
                     booth_no=changed.booth_no, assembly_no=changed.assembly_no, status=enum_label(language, to))
