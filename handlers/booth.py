"""`/booth 172 45`: one booth at a glance — place, president, calls heard, strength over time, open needs."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, filters

from bot.errors import DomainError
from bot.i18n import format_day, translate
from bot.phones import display_phone
from bot.review.booths import BoothView, CallHeard, OpenNeed, booth_view
from bot.review.progress import TELEGRAM_TEXT_LIMIT, enum_label, telegram_length
from handlers import callbacks as cb
from handlers.context import Context, answer, language_for, registered
from models import NeedCategory, OfficeBearer

MAX_LISTED = 15
"""The most calls, needs or positions the view lists; fewer when the message would not fit."""
PREVIEW = 300
"""Notes and need details longer than this are cut in lists, so that more entries fit."""


def parse_booth_ref(args: Sequence[str]) -> tuple[int, int] | None:
    """The assembly and booth numbers of `/booth 172 45` (also `172/45`), or None when they are not two
    positive numbers."""
    parts = " ".join(args).replace("/", " ").replace(",", " ").split()
    if len(parts) != 2 or not all(part.isdigit() and int(part) > 0 for part in parts):
        return None
    return int(parts[0]), int(parts[1])


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
    for limit in range(MAX_LISTED, -1, -1):
        text = "\n".join(_lines(view, language, limit, today=today, zone=zone))
        if telegram_length(text) <= TELEGRAM_TEXT_LIMIT:
            break
    return text


def booth_keyboard(language: str, view: BoothView) -> InlineKeyboardMarkup | None:
    """A button to follow up the booth's needs, for those who may."""
    if not view.needs_manageable:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        translate(language, "booth.needs_button", count=len(view.needs)),
        callback_data=cb.build(cb.NEEDS, cb.OPEN_BOOTH_NEEDS, view.booth.id))]])


@registered
async def booth(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Show one booth to those who look after it; explain the command when the numbers are missing."""
    language, svc = language_for(context, person), context.services
    ref = parse_booth_ref(context.args or [])
    if ref is None:
        await answer(update, translate(language, "booth.usage"))
        return
    assembly_no, booth_no = ref
    try:
        view = await booth_view(session, person, assembly_no=assembly_no, booth_no=booth_no, today=svc.today(),
                                now=svc.clock())
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    await session.commit()
    text = render_booth(view, language, today=svc.today(), zone=svc.settings.outreach.zone)
    await answer(update, text, reply_markup=booth_keyboard(language, view))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/booth` (private chats only)."""
    app.add_handler(CommandHandler("booth", booth, filters=filters.ChatType.PRIVATE))
