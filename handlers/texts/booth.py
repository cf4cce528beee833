"""The booth view in words: place, president, calls heard, strength over time and open needs, and the need
labels and ages the needs lists share."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import enum_label, format_day, translate
from bot.phones import display_phone
from bot.review.booths import BoothView, CallHeard, OpenNeed
from handlers.texts.fit import fit_to_message
from models import NeedCategory

PREVIEW = 300
"""Notes and need details longer than this are cut in lists, so that more entries fit."""


def preview(text: str) -> str:
    """Free text from a call, cut to `PREVIEW` characters and escaped for HTML."""
    cut = text if len(text) <= PREVIEW else text[:PREVIEW - 1].rstrip() + "…"
    return html.escape(cut)


def local_day(language: str, moment: datetime, zone: ZoneInfo) -> str:
    """A stored UTC moment as the day it was where the organisation works."""
    return format_day(language, moment.astimezone(zone).date())


def need_age(language: str, created_at: datetime, *, today: date, zone: ZoneInfo) -> str:
    """How long ago a need was raised: today, or so many days."""
    days = (today - created_at.astimezone(zone).date()).days
    return translate(language, "needs.age.today") if days <= 0 else translate(language, "needs.age.days", days=days)


def need_label(language: str, category: NeedCategory, detail: str | None) -> str:
    """The need's category in bold, followed by its words when there are any."""
    label = f"<b>{html.escape(enum_label(language, category))}</b>"
    return f"{label} — {preview(detail)}" if detail else label


def _call_line(language: str, call: CallHeard, president: str | None, zone: ZoneInfo) -> str:
    parts = [enum_label(language, call.outcome)]
    if call.wellbeing is not None:
        parts.append(translate(language, "booth.call_wellbeing", value=enum_label(language, call.wellbeing)))
    if call.position is not None:
        parts.append(translate(language, "booth.call_position", value=enum_label(language, call.position)))
    line = translate(language, "booth.call", day=local_day(language, call.reported_at, zone),
                     caller=html.escape(call.caller), outcome=" · ".join(parts))
    if call.president != president:
        line += " " + translate(language, "booth.call_to", name=html.escape(call.president))
    if call.notes:
        line += "\n" + translate(language, "booth.call_notes", notes=preview(call.notes))
    return line


def _need_line(language: str, need: OpenNeed, *, today: date, zone: ZoneInfo) -> str:
    return translate(language, "booth.need", need=need_label(language, need.category, need.detail),
                     age=need_age(language, need.created_at, today=today, zone=zone),
                     status=enum_label(language, need.status))


def _lines(view: BoothView, language: str, limit: int, *, today: date, zone: ZoneInfo) -> Iterator[str]:
    booth = view.booth
    yield translate(language, "booth.title", number=booth.number, name=html.escape(booth.name),
                    mandal=html.escape(booth.mandal))
    yield translate(language, "push.contact.place", assembly_no=booth.assembly_no,
                    assembly=html.escape(booth.assembly), district=html.escape(booth.district),
                    lok_sabha=html.escape(booth.lok_sabha))
    if view.president is None:
        yield translate(language, "booth.no_president")
    elif view.phone is None:
        yield translate(language, "booth.president_no_phone", name=html.escape(view.president))
    else:
        yield translate(language, "booth.president", name=html.escape(view.president),
                        phone=display_phone(view.phone))
    yield ""
    yield translate(language, "booth.strength_heading")
    roster = enum_label(language, booth.strength) if booth.strength else translate(language, "report.none")
    yield translate(language, "booth.strength_roster", strength=roster)
    if view.positions:
        points = [f"{format_day(language, day)} {enum_label(language, strength)}"
                  for day, strength in view.positions[-limit:]] if limit else []
        skipped = len(view.positions) - len(points)
        if skipped:
            points.insert(0, translate(language, "booth.earlier", count=skipped))
        yield translate(language, "booth.strength_heard", points=" → ".join(points))
    yield ""
    yield translate(language, "booth.calls_heading", count=view.calls_total)
    if not view.calls:
        yield translate(language, "booth.no_calls")
    yield from (_call_line(language, call, view.president, zone) for call in view.calls[:limit])
    if view.calls_total > min(limit, len(view.calls)):
        yield translate(language, "booth.more", count=view.calls_total - min(limit, len(view.calls)))
    yield ""
    yield translate(language, "booth.needs_heading", count=len(view.needs))
    if not view.needs:
        yield translate(language, "booth.no_needs")
    yield from (_need_line(language, need, today=today, zone=zone) for need in view.needs[:limit])
    if len(view.needs) > limit:
        yield translate(language, "booth.more", count=len(view.needs) - limit)


def render_booth(view: BoothView, language: str, *, today: date, zone: ZoneInfo) -> str:
    """The booth view as Telegram HTML, listing as many calls, needs and positions as fit one message."""
    return fit_to_message(lambda limit: _lines(view, language, limit, today=today, zone=zone))
