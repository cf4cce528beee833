"""Verification: the back-check questions to booth presidents, `/flags` and the trail of one call (`/call`).

Booth presidents who registered are asked, once per chosen call, whether the office-bearer called them and
whether the booth's needs came up; reviewers list the period's flagged and disputed calls and open any
call's whole trail (each opening is written to the audit log by the domain).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import review_scope
from bot.db import session_scope
from bot.errors import DomainError
from bot.i18n import normalise_language, translate
from bot.outreach.backchecks import (
    BackCheckQuestion,
    BackCheckStats,
    StaleBackCheck,
    VerifierAnswer,
    VerifierCall,
    answer_called,
    answer_needs,
    answer_verifier_call,
    ask_back_checks,
    ask_verifiers,
)
from bot.outreach.people import find_booth_president
from bot.review.flags import Verification, verify_period
from bot.review.trail import open_trail
from handlers import callbacks as cb
from handlers.channel import TelegramChannel, show_in_place
from handlers.context import Context, Services, answer, language_for, registered
from handlers.texts.fit import MAX_LIST_ENTRIES
from handlers.texts.verification import (
    flags_text,
    question_text,
    trail_text,
    verifier_answer_label,
    verifier_answered_text,
    verifier_call_text,
)
from models import BoothPresident, OfficeBearer


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


class BackCheckTelegramChannel(TelegramChannel):
    """The Telegram channel, also sending back-check questions to booth presidents."""

    async def send_back_check(self, question: BackCheckQuestion) -> int:
        """Send the question with yes/no buttons; return the Telegram message id."""
        language = normalise_language(question.language, self._default_language)
        return await self._send(question.chat_id, question_text(language, question),
                                _yes_no(language, cb.CALLED, question.back_check_id))


    async def send_verifier_call(self, call: VerifierCall) -> int:
        """Send a verifier the call to check, with its three answer buttons; return the Telegram message id."""
        language = normalise_language(call.language, self._default_language)
        return await self._send(call.chat_id, verifier_call_text(language, call),
                                verifier_buttons(language, call.back_check_id))


def verifier_buttons(language: str, back_check_id: int) -> InlineKeyboardMarkup:
    """Under a verifier's call: the conversation took place, the booth president denied it, not reached."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        verifier_answer_label(language, answer),
        callback_data=cb.build(cb.VERIFY, cb.VERIFIER_ANSWER, back_check_id, cb.VERIFIER_ANSWER_CODES[answer.value]))]
        for answer in VerifierAnswer])


async def run_back_checks(bot: Bot, svc: Services) -> BackCheckStats:
    """Ask the booth presidents about yesterday's calls, as the scheduled job does."""
    channel = BackCheckTelegramChannel(bot, svc.settings.outreach.default_language)
    return await ask_back_checks(svc.sessions, channel, day=svc.today() - timedelta(days=1), clock=svc.clock,
                                 share=svc.settings.review.back_check_share)


async def back_check_job(context: Context) -> None:
    """The daily back-check job."""
    await run_back_checks(context.bot, context.services)


async def run_verifier_calls(bot: Bot, svc: Services) -> BackCheckStats:
    """Hand yesterday's unchecked conversations to the verifiers, as the scheduled job does."""
    channel = BackCheckTelegramChannel(bot, svc.settings.outreach.default_language)
    return await ask_verifiers(svc.sessions, channel, day=svc.today() - timedelta(days=1), clock=svc.clock,
                               per_verifier=svc.settings.review.verifier_daily_calls)


async def verifier_job(context: Context) -> None:
    """The daily job giving verifiers their calls to check."""
    await run_verifier_calls(context.bot, context.services)


@registered
async def verifier_answered(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A verifier's answer after phoning the booth president: stored once, shown under the call."""
    query = update.callback_query
    assert query
    language = language_for(context, person)
    parsed = cb.parse(query.data)
    answers = {code: VerifierAnswer(value) for value, code in cb.VERIFIER_ANSWER_CODES.items()}
    try:
        if parsed is None or parsed.value not in answers:
            raise StaleBackCheck()
        answer_given = answers[parsed.value]
        await answer_verifier_call(session, back_check_id=parsed.record_id, telegram_user_id=person.telegram_user_id
                                   or 0, answer=answer_given, now=context.services.clock())
    except StaleBackCheck as exc:
        await query.answer(translate(language, exc.key), show_alert=True)
        return
    await session.commit()
    await query.answer()
    call_text = query.message.text_html if isinstance(query.message, Message) and query.message.text else ""
    await show_in_place(query, verifier_answered_text(language, call_text, answer_given), None)


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
            ask_needs = False
            if parsed.action == cb.CALLED:
                ask_needs = await answer_called(session, back_check_id=parsed.record_id, telegram_user_id=user.id,
                                                called=parsed.value == cb.YES, now=svc.clock())
            else:
                await answer_needs(session, back_check_id=parsed.record_id, telegram_user_id=user.id,
                                   spoke=parsed.value == cb.YES)
        except StaleBackCheck as exc:
            await query.answer(translate(language, exc.key), show_alert=True)
            return
        await session.commit()
    await query.answer()
    if ask_needs:
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


def trail_buttons(language: str, result: Verification, period_code: str) -> InlineKeyboardMarkup | None:
    """One button per listed call, opening its trail over the same period."""
    rows = [[InlineKeyboardButton(translate(language, "flags.button", id=call.assignment_id, caller=call.caller_name),
                                  callback_data=cb.build(cb.FLAGS, cb.TRAIL, call.assignment_id, period_code))]
            for call in result.flagged[:MAX_LIST_ENTRIES]]
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
    await answer(update, trail_text(language, trail, svc.settings.outreach.zone))


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
    app.add_handler(CallbackQueryHandler(verifier_answered, pattern=cb.pattern(cb.VERIFY, cb.VERIFIER_ANSWER)))
