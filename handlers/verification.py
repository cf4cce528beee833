"""Verification: the back-check questions to booth presidents, `/flags` and the trail of one call (`/call`).

Booth presidents who registered are asked, once per chosen call, whether the office-bearer called them and
whether the booth's needs came up; reviewers list the period's flagged and disputed calls and open any
call's whole trail (each opening is written to the audit log by the domain).
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.db import session_scope
from bot.errors import DomainError
from bot.i18n import format_day, format_time, normalise_language, translate
from bot.outreach.people import find_booth_president
from bot.review.verification import (
    BackCheckQuestion,
    BackCheckStats,
    CallTrail,
    Flag,
    StaleBackCheck,
    TrailBackCheck,
    Verification,
    answer_called,
    answer_needs,
    ask_back_checks,
    open_trail,
    review_scope,
    verify_period,
)
from handlers import callbacks as cb
from handlers.channel import TelegramChannel
from handlers.context import Context, Services, answer, language_for, registered
from models import BoothPresident, OfficeBearer

MAX_LISTED = 15
"""The most flagged calls (each with a button), and callers far from their peers, one `/flags` message lists;
with names of usual length the message stays well inside Telegram's 4096 characters."""


def president_language(context: Context, president: BoothPresident | None) -> str:
    """The language to speak to a booth president in: their stored choice, else the configured default."""
    default = context.services.settings.outreach.default_language
    return normalise_language(president.language if president else None, default)


def _yes_no(language: str, action: str, back_check_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(translate(language, "backcheck.button.yes"),
                             callback_data=cb.build(cb.BACK_CHECK, action, back_check_id, cb.YES)),
        InlineKeyboardButton(translate(language, "backcheck.button.no"),
                             callback_data=cb.build(cb.BACK_CHECK, action, back_check_id, cb.NO))]])


def question_text(language: str, question: BackCheckQuestion) -> str:
    """The back-check question: did this office-bearer call you on that day?"""
    return translate(language, "backcheck.ask_called", name=html.escape(question.president_name),
                     caller=html.escape(question.caller_name), day=format_day(language, question.day))


class BackCheckTelegramChannel(TelegramChannel):
    """The Telegram channel, also sending back-check questions to booth presidents."""

    async def send_back_check(self, question: BackCheckQuestion) -> int:
        """Send the question with yes/no buttons; return the Telegram message id."""
        language = normalise_language(question.language, self._default_language)
        return await self._send(question.chat_id, question_text(language, question),
                                _yes_no(language, cb.CALLED, question.back_check_id))


async def run_back_checks(bot: Bot, svc: Services) -> BackCheckStats:
    """Ask the booth presidents about yesterday's calls, as the scheduled job does."""
    channel = BackCheckTelegramChannel(bot, svc.settings.outreach.default_language)
    return await ask_back_checks(svc.sessions, channel, day=svc.today() - timedelta(days=1), clock=svc.clock,
                                 share=svc.settings.review.back_check_share)


async def back_check_job(context: Context) -> None:
    """The daily back-check job."""
    await run_back_checks(context.bot, context.services)


async def back_check_answered(update: Update, context: Context) -> None:
    """A booth president's yes or no: stored against the call; then the next question, or thanks."""
    query, user = update.callback_query, update.effective_user
    assert query and user
    parsed = cb.parse(query.data)
    svc = context.services
    async with session_scope(svc.sessions) as session:
        president = await find_booth_president(session, user.id)
        language = president_language(context, president)
        try:
            if parsed is None or parsed.value not in (cb.YES, cb.NO):
                raise StaleBackCheck()
            if parsed.action == cb.CALLED:
                await answer_called(session, back_check_id=parsed.record_id, telegram_user_id=user.id,
                                    called=parsed.value == cb.YES, now=svc.clock())
            else:
                await answer_needs(session, back_check_id=parsed.record_id, telegram_user_id=user.id,
                                   spoke=parsed.value == cb.YES)
        except StaleBackCheck as exc:
            await query.answer(translate(language, exc.key), show_alert=True)
            return
        await session.commit()
    await query.answer()
    if parsed.action == cb.CALLED and parsed.value == cb.YES:
        await query.edit_message_text(translate(language, "backcheck.ask_needs"),
                                      reply_markup=_yes_no(language, cb.SPOKE_ABOUT_NEEDS, parsed.record_id))
    else:
        await query.edit_message_text(translate(language, "backcheck.thanks"))


def _period(code: str, today: date) -> tuple[date, date]:
    """The days a period code stands for: today, yesterday, or the seven days ending today."""
    if code == cb.FLAG_PERIODS["yesterday"]:
        return today - timedelta(days=1), today - timedelta(days=1)
    if code == cb.FLAG_PERIODS["week"]:
        return today - timedelta(days=6), today
    return today, today


def _flag_labels(language: str, flags: tuple[Flag, ...]) -> str:
    return "; ".join(translate(language, f"flag.{flag.value}") for flag in flags)


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{round(100 * share)}%"


def flags_text(language: str, result: Verification) -> str:
    """The `/flags` message: the period's figures, the callers far from their peers, and the flagged calls."""
    totals = result.totals
    lines = [translate(language, "flags.title", start=format_day(language, result.start),
                       end=format_day(language, result.end)),
             translate(language, "flags.totals", reported=totals.reported, asked=totals.asked,
                       checked=totals.checked, confirmed=totals.confirmed, disputed=totals.disputed,
                       flagged=totals.flagged)]
    outliers = [caller for caller in result.callers if caller.outliers]
    if outliers:
        lines += ["", translate(language, "flags.outliers_title")]
        lines += [translate(language, "flags.outlier_line", name=html.escape(c.name),
                            not_answered=_percent(c.not_answered_share), all_good=_percent(c.all_good_share),
                            flags=_flag_labels(language, c.outliers)) for c in outliers[:MAX_LISTED]]
        if len(outliers) > MAX_LISTED:
            lines.append(translate(language, "flags.more", count=len(outliers) - MAX_LISTED))
    lines.append("")
    if not result.flagged:
        lines.append(translate(language, "flags.none"))
        return "\n".join(lines)
    lines += [translate(language, "flags.entry", id=call.assignment_id,
                        day=format_day(language, call.day, with_year=False),
                        caller=html.escape(call.caller_name), booth_no=call.booth_no,
                        booth_name=html.escape(call.booth_name), district=html.escape(call.district),
                        flags=_flag_labels(language, call.flags)) for call in result.flagged[:MAX_LISTED]]
    if len(result.flagged) > MAX_LISTED:
        lines.append(translate(language, "flags.more", count=len(result.flagged) - MAX_LISTED))
    lines += ["", translate(language, "flags.open_hint")]
    return "\n".join(lines)


def trail_buttons(language: str, result: Verification, period_code: str) -> InlineKeyboardMarkup | None:
    """One button per listed call, opening its trail over the same period."""
    rows = [[InlineKeyboardButton(translate(language, "flags.button", id=call.assignment_id, caller=call.caller_name),
                                  callback_data=cb.build(cb.FLAGS, cb.TRAIL, call.assignment_id, period_code))]
            for call in result.flagged[:MAX_LISTED]]
    return InlineKeyboardMarkup(rows) if rows else None


@registered
async def flags_command(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """`/flags [today|yesterday|week]`: the flagged and disputed calls a reviewer may see, each with its button."""
    language, svc = language_for(context, person), context.services
    try:
        districts = review_scope(person)
    except DomainError as exc:
        await answer(update, translate(language, exc.key))
        return
    args = [a.lower() for a in (context.args or [])]
    if len(args) > 1 or (args and args[0] not in cb.FLAG_PERIODS):
        await answer(update, translate(language, "flags.usage"))
        return
    code = cb.FLAG_PERIODS[args[0] if args else "today"]
    start, end = _period(code, svc.today())
    result = await verify_period(session, start=start, end=end, district_ids=districts,
                                 zone=svc.settings.outreach.zone)
    await answer(update, flags_text(language, result), reply_markup=trail_buttons(language, result, code))


def _time(language: str, moment: datetime, svc: Services) -> str:
    return format_time(language, moment, svc.settings.outreach.zone, with_year=False)


def _answer(language: str, value: bool | None) -> str:
    return translate(language, "trail.answer." + ("none" if value is None else "yes" if value else "no"))


def _back_check_lines(language: str, check: TrailBackCheck | None, svc: Services) -> list[str]:
    if check is None:
        return [translate(language, "trail.back_check.none")]
    if check.asked_at is None:
        return [translate(language, "trail.back_check.pending")]
    if check.error is not None:
        return [translate(language, "trail.back_check.not_delivered", error=html.escape(check.error))]
    if check.answered_at is None:
        return [translate(language, "trail.back_check.waiting", time=_time(language, check.asked_at, svc))]
    return [translate(language, "trail.back_check.answered", time=_time(language, check.asked_at, svc),
                      answered=_time(language, check.answered_at, svc), called=_answer(language, check.called),
                      needs=_answer(language, check.spoke_about_needs))]


def trail_text(language: str, trail: CallTrail, svc: Services) -> str:
    """The whole trail of a call: who, whom, the delivery, every report, the flags and the back-check."""
    none = translate(language, "report.none")
    lines = [translate(language, "trail.title", id=trail.assignment_id, day=format_day(language, trail.day)),
             translate(language, "trail.caller", name=html.escape(trail.caller_name),
                       role=translate(language, f"role.{trail.caller_role.value}")),
             translate(language, "trail.president", name=html.escape(trail.president_name), phone=trail.phone),
             translate(language, "trail.booth", booth_no=trail.booth_no, booth_name=html.escape(trail.booth_name),
                       assembly_no=trail.assembly_no, assembly=html.escape(trail.assembly),
                       district=html.escape(trail.district))]
    if trail.delivered_at is not None:
        lines.append(translate(language, "trail.delivered", time=_time(language, trail.delivered_at, svc)))
    else:
        status = trail.delivery_status.value if trail.delivery_status else "pending"
        lines.append(translate(language, "trail.not_delivered",
                               status=translate(language, f"delivery_status.{status}")))
    lines += ["", translate(language, "trail.reports_title")]
    if not trail.reports:
        lines.append(translate(language, "trail.no_reports"))
    for report in trail.reports:
        lines.append(translate(language, "trail.report", time=_time(language, report.reported_at, svc),
                               outcome=translate(language, f"outcome.{report.outcome.value}")))
        if report.call_back_on is not None:
            lines.append(translate(language, "trail.report.call_back", value=format_day(language, report.call_back_on)))
        if report.wellbeing is not None:
            lines.append(translate(language, "trail.report.wellbeing",
                                   value=translate(language, f"wellbeing.{report.wellbeing.value}")))
        if report.position is not None:
            lines.append(translate(language, "trail.report.position",
                                   value=translate(language, f"strength.{report.position.value}")))
        needs = [translate(language, f"need.{n.value}") for n in report.needs]
        needs += [html.escape(detail) for detail in report.need_details]
        lines.append(translate(language, "trail.report.needs", value=", ".join(needs) or none))
        lines.append(translate(language, "trail.report.notes", value=html.escape(report.notes or "") or none))
    lines += ["", translate(language, "trail.flags_title"),
              _flag_labels(language, trail.flags) if trail.flags else translate(language, "trail.no_flags"),
              "", translate(language, "trail.back_check_title"), *_back_check_lines(language, trail.back_check, svc)]
    return "\n".join(lines)


async def _show_trail(update: Update, context: Context, session: AsyncSession, person: OfficeBearer,
                      assignment_id: int, period_code: str) -> None:
    """Open the trail (audited by the domain), commit, and send it."""
    language, svc = language_for(context, person), context.services
    start, end = _period(period_code, svc.today())
    try:
        trail = await open_trail(session, viewer=person, assignment_id=assignment_id, start=start, end=end,
                                 zone=svc.settings.outreach.zone, now=svc.clock())
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **exc.params))
        return
    await session.commit()
    await answer(update, trail_text(language, trail, svc))


@registered
async def call_command(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """`/call <number>`: the trail of one call, over the last seven days' flags."""
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        await answer(update, translate(language_for(context, person), "trail.usage"))
        return
    await _show_trail(update, context, session, person, int(args[0].lstrip("#")), cb.FLAG_PERIODS["week"])


@registered
async def trail_button(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A `/flags` button: the trail of that call, over the list's period."""
    query = update.callback_query
    assert query
    parsed = cb.parse(query.data)
    if parsed is None or parsed.value not in cb.FLAG_PERIODS.values():
        await query.answer(translate(language_for(context, person), "button.stale"), show_alert=True)
        return
    await query.answer()
    await _show_trail(update, context, session, person, parsed.record_id, parsed.value)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add `/flags`, `/call`, the trail buttons and the back-check answers."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("flags", flags_command, filters=private))
    app.add_handler(CommandHandler("call", call_command, filters=private))
    app.add_handler(CallbackQueryHandler(trail_button, pattern=cb.pattern(cb.FLAGS, cb.TRAIL)))
    app.add_handler(CallbackQueryHandler(back_check_answered,
                                         pattern=cb.pattern(cb.BACK_CHECK, cb.CALLED, cb.SPOKE_ABOUT_NEEDS)))
