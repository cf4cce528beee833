"""`/summary`: progress at state, region, district and own-work level, drilled into with buttons; the digests.

The organisation secretary and admins start at the state, a district in-charge at their districts, a state
office-bearer at their own calls. Buttons carry the level, area and period (`sum:d:12:w20261120`); every
press is checked against the presser's role again, so a forged or outdated button shows nothing it should
not. The scheduled digests are sent from here one by one: one that cannot be delivered does not stop the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import Viewer, uses_dashboard
from bot.config import WEEKDAYS, ReviewSettings
from bot.db import session_scope
from bot.errors import DomainError
from bot.i18n import translate
from bot.outreach.delivery import PermanentFailure, TemporaryFailure, Unreachable, note_unreachable
from bot.review.digests import Digest, daily_digests, weekly_digests
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import ProgressView, progress_view
from handlers import callbacks as cb
from handlers.channel import channel_for, show_in_place
from handlers.context import Context, Services, answer, language_for, registered
from handlers.leave import parse_leave_date
from handlers.texts.progress import digest_text, render_progress
from models import OfficeBearer

log = logging.getLogger(__name__)

PERIOD_WORDS = {"today": PeriodKind.day, "day": PeriodKind.day, "week": PeriodKind.week,
                "month": PeriodKind.month, "आज": PeriodKind.day, "दिन": PeriodKind.day,
                "सप्ताह": PeriodKind.week, "हफ्ता": PeriodKind.week, "महीना": PeriodKind.month}
"""Words that choose the period's length after /summary or /export, in English and Hindi."""


def parse_period_args(args: Sequence[str], today: date) -> Period | None:
    """The period asked for: `week`, `month` or nothing (one day), ending today or on a date given.

    A date without a year (15.11) is the latest such day up to today. None for anything else, and for a
    day still to come.
    """
    kind, end = PeriodKind.day, today
    for word in args:
        if word.lower() in PERIOD_WORDS:
            kind = PERIOD_WORDS[word.lower()]
            continue
        day = parse_leave_date(word, today - timedelta(days=364))
        if day is None or day > today:
            return None
        end = day
    return Period(kind, end)


MAX_BOOTH_BUTTONS = 40
"""At most this many booth buttons under an assembly seat's view (the text lists the booths; Telegram allows
100 buttons in all)."""


def progress_keyboard(language: str, view: ProgressView, *, may_export: bool,
                      dashboard_url: str | None = None) -> InlineKeyboardMarkup:
    """Buttons under a view: one per region, district, Lok Sabha or assembly seat to drill into (a booth opens
    its booth view), the Lok Sabha seats and focus seats of the state, the period switch, back and export."""
    area, period = view.area, view.period
    here = cb.code_of(cb.LEVEL_CODES, area.level)
    rows: list[list[InlineKeyboardButton]] = []
    if view.rows_level in (Level.region, Level.district, Level.lok_sabha, Level.assembly):
        level = cb.code_of(cb.LEVEL_CODES, view.rows_level)
        drill = [InlineKeyboardButton(translate(language, "seats.focus_mark") + row.name if row.focus else row.name,
                                      callback_data=cb.build(cb.SUMMARY, level, row.id, cb.period_value(period)))
                 for row in view.rows]
        rows += [drill[i:i + 2] for i in range(0, len(drill), 2)]
    if view.rows_level is Level.booth:
        booths = [InlineKeyboardButton(row.name, callback_data=cb.build(cb.BOOTH, cb.OPEN_BOOTH, row.id))
                  for row in view.rows[:MAX_BOOTH_BUTTONS]]
        rows += [booths[i:i + 2] for i in range(0, len(booths), 2)]
    if area.level is Level.state or (area.level is Level.district and area.parent is None):
        rows.append([InlineKeyboardButton(translate(language, f"seats.button.{level.value}"), callback_data=cb.build(
            cb.SUMMARY, cb.code_of(cb.LEVEL_CODES, level), 0, cb.period_value(period)))
            for level in (Level.seats, Level.focus)])
    switch = []
    for kind in PeriodKind:
        label = translate(language, f"review.button.{kind.value}")
        if kind is period.kind:
            label = translate(language, "review.button.chosen", label=label)
        switch.append(InlineKeyboardButton(label, callback_data=cb.build(
            cb.SUMMARY, here, area.id, cb.period_value(Period(kind, period.end)))))
    rows.append(switch)
    last = []
    if area.parent is not None:
        parent_level, parent_id = area.parent
        last.append(InlineKeyboardButton(translate(language, "review.button.back"), callback_data=cb.build(
            cb.SUMMARY, cb.code_of(cb.LEVEL_CODES, parent_level), parent_id, cb.period_value(period))))
    if may_export and area.level is not Level.person:
        last.append(InlineKeyboardButton(translate(language, "review.button.export"), callback_data=cb.build(
            cb.EXPORT, here, area.id, cb.period_value(period))))
    if last:
        rows.append(last)
    if dashboard_url:
        rows.append([InlineKeyboardButton(translate(language, "web.open_button"), web_app=WebAppInfo(dashboard_url))])
    return InlineKeyboardMarkup(rows)


def dashboard_for(context: Context, person: OfficeBearer) -> str | None:
    """The dashboard's address for a button under the view, when it is served and this person may open it."""
    url = context.services.settings.web.public_url
    return url if url and uses_dashboard(person) else None


def view_button(data: str | None, today: date) -> tuple[Level, int, Period] | None:
    """The level, area and period a summary or export button names; None for a forged or malformed one."""
    parsed = cb.parse(data)
    if parsed is None or parsed.action not in cb.LEVEL_CODES:
        return None
    period = cb.parse_period(parsed.value)
    if period is None or period.end > today:
        return None
    return cb.LEVEL_CODES[parsed.action], parsed.record_id, period


async def _view(context: Context, session: AsyncSession, viewer: Viewer, level: Level, area_id: int,
                period: Period) -> ProgressView:
    svc = context.services
    return await progress_view(session, viewer, level=level, area_id=area_id, period=period, today=svc.today(),
                               grace_days=svc.settings.outreach.report_grace_days, now=svc.clock(),
                               zone=svc.settings.outreach.zone, focus=svc.settings.outreach.focus_lok_sabha)


@registered
async def summary(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Progress of what the person may see, today or over the period asked for, with drill-down buttons."""
    language = language_for(context, person)
    period = parse_period_args(context.args or [], context.services.today())
    if period is None:
        await answer(update, translate(language, "review.usage", command="/summary"))
        return
    viewer = Viewer.of(person)
    level, area_id = viewer.home()
    view = await _view(context, session, viewer, level, area_id, period)
    await answer(update, render_progress(view, language),
                 reply_markup=progress_keyboard(language, view, may_export=viewer.sees_all,
                                                dashboard_url=dashboard_for(context, person)))


@registered
async def drill(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A drill-down, period or back button: the view it names, in place, if the presser may see it."""
    query = update.callback_query
    assert query is not None
    language = language_for(context, person)
    button = view_button(query.data, context.services.today())
    if button is None:
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return
    viewer = Viewer.of(person)
    try:
        view = await _view(context, session, viewer, *button)
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **exc.params), show_alert=True)
        return
    await query.answer()
    await show_in_place(query, render_progress(view, language),
                        progress_keyboard(language, view, may_export=viewer.sees_all,
                                          dashboard_url=dashboard_for(context, person)))


async def send_digests(bot: Bot, svc: Services, digests: Sequence[Digest]) -> int:
    """Send each digest through the channel; one that fails (blocked bot, chat gone, network) is logged and the
    rest still go, and a recipient who cannot be messaged is marked unreachable as the evening reminder does."""
    channel = channel_for(bot, svc.settings)
    sent = 0
    for digest in digests:
        try:
            await channel.send_text(digest.chat_id, digest_text(digest))
        except Unreachable as exc:
            log.warning("digest to office-bearer %d not sent: %s", digest.office_bearer_id, exc.reason)
            await note_unreachable(svc.sessions, digest.office_bearer_id, exc.reason, svc.clock())
            continue
        except (PermanentFailure, TemporaryFailure) as exc:
            log.warning("digest to office-bearer %d not sent: %s", digest.office_bearer_id, type(exc).__name__)
            continue
        sent += 1
    return sent


async def _run_digests(context: Context, build: Callable[..., Awaitable[list[Digest]]], kind: str) -> None:
    """Build one kind of digest in a unit of work, then send each (a failure does not stop the rest)."""
    svc = context.services
    out = svc.settings.outreach
    async with session_scope(svc.sessions) as session:
        digests = await build(session, today=svc.today(), grace_days=out.report_grace_days, now=svc.clock(),
                              zone=out.zone, default_language=out.default_language)
    log.info("%s digest sent to %d of %d", kind, await send_digests(context.bot, svc, digests), len(digests))


async def weekly_digest(context: Context) -> None:
    """The scheduled weekly digest: the state's last seven days to each organisation secretary."""
    await _run_digests(context, weekly_digests, "weekly")


async def daily_digest(context: Context) -> None:
    """The scheduled daily digest: today's progress in their districts to each district in-charge."""
    await _run_digests(context, daily_digests, "daily")


def weekly_digest_days(review: ReviewSettings) -> tuple[int]:
    """The configured digest weekday as JobQueue counts days (0 is Sunday, 6 Saturday)."""
    return ((WEEKDAYS.index(review.weekly_digest_day) + 1) % 7,)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/summary` and its buttons."""
    app.add_handler(CommandHandler("summary", summary, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(drill, pattern=cb.pattern(cb.SUMMARY)))
