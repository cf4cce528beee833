"""The call-report conversation: outcome, well-being, the booth's position, needs, notes, confirm.

The common case (talked, all well, a position, save) is four taps from the morning message. Every step
can go back or be cancelled (`/cancel` or the button); buttons of another call or an old message are
answered as stale; typed text where a button is expected gets a hint.
"""

from __future__ import annotations

import functools
import html
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.db import session_scope
from bot.errors import DomainError
from bot.i18n import format_day, translate
from bot.outreach.delivery import PermanentFailure, TemporaryFailure, Unreachable
from bot.outreach.people import find_user
from bot.outreach.reports import (
    MAX_NOTE_LENGTH,
    ReportDraft,
    open_assignment,
    read_new_president,
    record_report,
    reported_president,
)
from handlers import callbacks as cb
from handlers import keyboards
from handlers.channel import channel_for
from handlers.context import Context, Services, answer, language_for, registered
from handlers.texts.attempts import new_president_line, saved_text
from models import OfficeBearer, Outcome

OUTCOME, WELLBEING, POSITION, NEEDS, NEED_TEXT, NOTE_TEXT, REVIEW, CALL_BACK, NEW_PRESIDENT = range(9)
END = ConversationHandler.END
DRAFT = "report_draft"
ACTIVE_AT = "report_active_at"
TIMEOUT_CHECK_SECONDS = 60

log = logging.getLogger(__name__)


def _draft(context: Context) -> ReportDraft | None:
    found = context.user_data.get(DRAFT) if context.user_data is not None else None
    return found if isinstance(found, ReportDraft) else None


def _keep(context: Context, draft: ReportDraft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT] = draft
    context.user_data[ACTIVE_AT] = context.services.clock().isoformat()


def _drop(context: Context) -> None:
    _forget(context.user_data)


def _forget(user_data: dict[Any, Any] | None) -> None:
    if user_data is not None:
        user_data.pop(DRAFT, None)
        user_data.pop(ACTIVE_AT, None)


def _abandoned(user_data: dict[Any, Any] | None, svc: Services) -> bool:
    """Whether a report is open and untouched for longer than `outreach.report_timeout_minutes`.

    The time of the last step is kept with the draft, so this holds across restarts.
    """
    if not user_data or DRAFT not in user_data:
        return False
    idle = svc.clock() - datetime.fromisoformat(user_data[ACTIVE_AT])
    return idle > timedelta(minutes=svc.settings.outreach.report_timeout_minutes)


def review_text(language: str, draft: ReportDraft) -> str:
    """The report as it will be stored, for the person to confirm."""
    none = translate(language, "report.none")
    needs = [translate(language, f"need.{n.value}") for n in sorted(draft.needs)]
    if draft.need_detail:
        needs.append(html.escape(draft.need_detail))
    lines = [translate(language, "report.review.title", name=html.escape(draft.president_name)),
             translate(language, "report.review.outcome",
                       value=translate(language, f"outcome.{draft.outcome.value}") if draft.outcome else none)]
    if (new_president := new_president_line(language, draft)) is not None:
        lines.append(new_president)
    if draft.calling_back and draft.call_back_in_days is not None:
        lines.append(translate(language, "report.review.call_back", value=translate(
            language, f"call_back.in_days.{cb.code_of(cb.CALL_BACK_CODES, draft.call_back_in_days)}")))
    if draft.talked:
        lines.append(translate(language, "report.review.wellbeing",
                               value=translate(language, f"wellbeing.{draft.wellbeing.value}")
                               if draft.wellbeing else none))
        lines.append(translate(language, "report.review.position",
                               value=translate(language, f"strength.{draft.position.value}")
                               if draft.position else none))
        lines.append(translate(language, "report.review.needs", value=", ".join(needs) or none))
    lines.append(translate(language, "report.review.notes", value=html.escape(draft.notes or "") or none))
    lines.append("")
    lines.append(translate(language, "report.review.confirm"))
    return "\n".join(lines)


Keyboard = Callable[[str, ReportDraft], InlineKeyboardMarkup]


@dataclass(frozen=True)
class Question:
    """A question of the report answered by one button: the draft field it fills, and for which calls."""

    state: int
    action: str
    codes: Mapping[str, object]
    field: str
    asked: Callable[[ReportDraft], bool]
    prompt: str
    keyboard: Keyboard


QUESTIONS: tuple[Question, ...] = (
    Question(OUTCOME, cb.OUTCOME, cb.OUTCOME_CODES, "outcome", lambda draft: True,
             "report.ask.outcome", keyboards.other_outcomes),
    Question(NEW_PRESIDENT, cb.NEW_PRESIDENT, cb.NEW_PRESIDENT_CODES, "new_president",
             lambda draft: draft.not_president, "attempts.ask.new_president", keyboards.new_president),
    Question(CALL_BACK, cb.CALL_BACK_DAY, cb.CALL_BACK_CODES, "call_back_in_days", lambda draft: draft.calling_back,
             "report.ask.call_back", keyboards.call_back_day),
    Question(WELLBEING, cb.WELLBEING, cb.WELLBEING_CODES, "wellbeing", lambda draft: draft.talked,
             "report.ask.wellbeing", keyboards.wellbeing),
    Question(POSITION, cb.POSITION, cb.POSITION_CODES, "position", lambda draft: draft.talked,
             "report.ask.position", keyboards.position),
)
"""The questions in the order they are asked; after the last one that applies comes the review. "Back" returns
to the last question answered, and every question but the first can go back."""
QUESTION_ANSWERED_BY = {question.action: question for question in QUESTIONS}
PROMPTS: dict[int, tuple[str, Keyboard]] = {
    **{question.state: (question.prompt, question.keyboard) for question in QUESTIONS},
    NEEDS: ("report.ask.needs", keyboards.needs)}
"""The button steps other than the review: the question's catalog key and its keyboard."""
MOVES = {cb.ADD_NEEDS: NEEDS, cb.NEEDS_DONE: REVIEW}
"""Buttons that only move to another step."""
TYPING = {cb.NEED_TEXT: (NEED_TEXT, "report.ask.need_text"), cb.ADD_NOTE: (NOTE_TEXT, "report.ask.note")}
"""Buttons that ask for typed text: the step that takes it and the catalog key of the prompt."""


def _answered(draft: ReportDraft, question: Question, value: object) -> ReportDraft:
    """The draft with this answer, and the answers to the questions after it forgotten."""
    later = QUESTIONS[QUESTIONS.index(question) + 1:]
    return replace(draft, **{question.field: value, **{after.field: None for after in later}})


def _after(draft: ReportDraft, question: Question) -> int:
    """The step after answering `question`: the next question asked for this call, else the review."""
    later = QUESTIONS[QUESTIONS.index(question) + 1:]
    return next((after.state for after in later if after.asked(draft)), REVIEW)


def _screen(language: str, state: int, draft: ReportDraft) -> tuple[str, InlineKeyboardMarkup]:
    if state == REVIEW:
        return review_text(language, draft), keyboards.review(language, draft)
    key, keyboard = PROMPTS[state]
    return translate(language, key, name=html.escape(draft.president_name)), keyboard(language, draft)


async def _show(update: Update, language: str, state: int, draft: ReportDraft) -> int:
    """Show a step: edit the flow message after a button press, or send a new one after typed text."""
    text, markup = _screen(language, state, draft)
    if update.callback_query and update.callback_query.message:
        await update.callback_query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    else:
        await answer(update, text, reply_markup=markup)
    return state


@registered
async def begin(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> int | None:
    """Start a report from a morning-message button: 'talked' goes straight to well-being.

    A button that cannot start a report leaves a report already open where it was.
    """
    query = update.callback_query
    assert query
    language = language_for(context, person)
    parsed = cb.parse(query.data)
    assert parsed
    svc = context.services
    try:
        draft = await open_assignment(session, assignment_id=parsed.record_id, office_bearer_id=person.id,
                                      today=svc.today(), grace_days=svc.settings.outreach.report_grace_days)
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **_localised(language, exc.params)), show_alert=True)
        return None
    await query.answer()
    if parsed.action == cb.TALKED:
        draft, state = replace(draft, outcome=Outcome.talked), WELLBEING
    else:
        state = OUTCOME
    _keep(context, draft)
    text, markup = _screen(language, state, draft)
    await answer(update, text, reply_markup=markup)
    return state


def _localised(language: str, params: dict[str, object]) -> dict[str, object]:
    """A domain error's parameters as the reader reads them: an outcome by its label, a day as a date."""
    if "outcome" in params:
        params = {**params, "outcome": translate(language, f"outcome.{params['outcome']}")}
    if isinstance(params.get("day"), str):
        params = {**params, "day": format_day(language, date.fromisoformat(str(params["day"])))}
    return params


VALUE_CODES: dict[str, Mapping[str, object]] = {
    **{question.action: question.codes for question in QUESTIONS}, cb.NEED: cb.NEED_CODES}


def _known_value(parsed: cb.Callback) -> bool:
    """Whether the button's value is one its action knows: a forged or outdated one is answered as stale."""
    codes = VALUE_CODES.get(parsed.action)
    return codes is None or parsed.value in codes


@registered
async def step(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> int | None:
    """Move the conversation on by one button press of the current call."""
    query = update.callback_query
    assert query
    language = language_for(context, person)
    parsed, draft = cb.parse(query.data), _draft(context)
    if parsed is None or draft is None or parsed.record_id != draft.assignment_id or not _known_value(parsed):
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return None
    await query.answer()
    action, value = parsed.action, parsed.value
    question = QUESTION_ANSWERED_BY.get(action)
    if question is not None:
        draft = _answered(draft, question, question.codes[value])
        next_state = _after(draft, question)
    elif action == cb.NEED:
        draft, next_state = draft.toggled(cb.NEED_CODES[value]), NEEDS
    elif action in MOVES:
        next_state = MOVES[action]
    elif action in TYPING:
        _keep(context, draft)
        next_state, prompt = TYPING[action]
        await query.edit_message_text(translate(language, prompt), parse_mode="HTML")
        return next_state
    else:
        draft, next_state = _back(draft)
    _keep(context, draft)
    return await _show(update, language, next_state, draft)


def _back(draft: ReportDraft) -> tuple[ReportDraft, int]:
    """One step back: to the last question answered for this call, its answer and those after it forgotten."""
    answered = [question for question in QUESTIONS
                if question.asked(draft) and getattr(draft, question.field) is not None]
    question = answered[-1] if answered else QUESTIONS[0]
    return _answered(draft, question, None), question.state


@registered
async def typed_need(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> int:
    """Take the free-text description of what the booth needs, then show the needs again."""
    return await _typed(update, context, person, field="need_detail", next_state=NEEDS)


@registered
async def typed_note(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> int:
    """Take the optional notes, then show the report for confirmation."""
    return await _typed(update, context, person, field="notes", next_state=REVIEW)


async def _typed(update: Update, context: Context, person: OfficeBearer, *, field: str, next_state: int) -> int:
    language = language_for(context, person)
    draft, message = _draft(context), update.effective_message
    if draft is None or message is None or not message.text:
        return END
    text = message.text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        await answer(update, translate(language, "report.too_long", limit=MAX_NOTE_LENGTH))
        return NEED_TEXT if field == "need_detail" else NOTE_TEXT
    draft = replace(draft, **{field: text})
    _keep(context, draft)
    return await _show(update, language, next_state, draft)


@registered
async def typed_new_president(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> int:
    """Take the new booth president's name and mobile number, typed in one message, then show the review.

    Text that is not a name with an Indian mobile number gets a hint, and the question again.
    """
    language = language_for(context, person)
    draft, message = _draft(context), update.effective_message
    if draft is None or message is None or not message.text:
        return END
    try:
        proposal = read_new_president(message.text)
    except DomainError as exc:
        await answer(update, translate(language, exc.key, **{k: html.escape(str(v)) for k, v in exc.params.items()}))
        _keep(context, draft)
        return await _show(update, language, NEW_PRESIDENT, draft)
    question = QUESTION_ANSWERED_BY[cb.NEW_PRESIDENT]
    draft = _answered(draft, question, proposal)
    _keep(context, draft)
    return await _show(update, language, _after(draft, question), draft)


@registered
async def save(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> int | None:
    """Store the confirmed report and say so.

    The draft is gone once the report is committed, before the confirmation: if Telegram fails to show it,
    pressing save again stores nothing more and shows the confirmation.
    """
    query = update.callback_query
    assert query
    language = language_for(context, person)
    parsed, draft = cb.parse(query.data), _draft(context)
    name = None if parsed is None or draft is not None else await reported_president(
        session, assignment_id=parsed.record_id, office_bearer_id=person.id)
    if name is not None:
        await query.answer(translate(language, "report.saved_short"))
        await query.edit_message_text(translate(language, "report.saved", name=html.escape(name)), parse_mode="HTML")
        return END
    if parsed is None or draft is None or parsed.record_id != draft.assignment_id:
        await query.answer(translate(language, "button.stale"), show_alert=True)
        return None
    svc = context.services
    try:
        await record_report(session, draft=draft, office_bearer_id=person.id, today=svc.today(),
                            grace_days=svc.settings.outreach.report_grace_days, now=svc.clock(),
                            max_attempts=svc.settings.outreach.max_attempts,
                            need_due_days=svc.settings.review.need_due_days)
    except DomainError as exc:
        await query.answer(translate(language, exc.key, **_localised(language, exc.params)), show_alert=True)
        _drop(context)
        return END
    await session.commit()
    _drop(context)
    await query.answer(translate(language, "report.saved_short"))
    saved = saved_text(language, draft, max_attempts=svc.settings.outreach.max_attempts)
    await query.edit_message_text(saved, parse_mode="HTML")
    return END


@registered
async def cancel(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> int:
    """Leave the report unsaved, from `/cancel` or the cancel button."""
    language = language_for(context, person)
    _drop(context)
    text = translate(language, "report.cancelled")
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(text, parse_mode="HTML")
    else:
        await answer(update, text)
    return END


@registered
async def stray(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """Typed text, a photo or a sticker where a button is expected: point at the buttons."""
    await answer(update, translate(language_for(context, person), "report.use_buttons"))


@registered
async def timed_out(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """An abandoned report is closed when the person comes back to it; they are told nothing was saved."""
    _drop(context)
    if update.callback_query:
        await update.callback_query.answer()
    await answer(update, translate(language_for(context, person), "report.timed_out"))


def _in_time(callback: Callable[[Update, Context], Awaitable[Any]],
             ) -> Callable[[Update, Context], Coroutine[Any, Any, Any]]:
    """The step's handler, unless the open report was abandoned: then it is closed instead.

    A conversation left without a draft (closed by `close_abandoned_reports` meanwhile) ends as well.
    """

    @functools.wraps(callback)
    async def handle(update: Update, context: Context) -> Any:
        if _abandoned(context.user_data, context.services):
            await timed_out(update, context)
            return END
        state = await callback(update, context)
        return state if _draft(context) is not None else END

    return handle


async def close_abandoned_reports(context: Context) -> None:
    """Job: close every report abandoned longer than the timeout (kept across restarts) and tell each person."""
    app, svc = context.application, context.services
    abandoned = [user_id for user_id, data in app.user_data.items() if _abandoned(data, svc)]
    if not abandoned:
        return
    async with session_scope(svc.sessions) as session:
        languages = {user_id: language_for(context, await find_user(session, user_id)) for user_id in abandoned}
    channel = channel_for(context.bot, svc.settings)
    for user_id, language in languages.items():
        _forget(app.user_data[user_id])
        app.mark_data_for_update_persistence(user_ids=user_id)
        try:
            await channel.send_text(user_id, translate(language, "report.timed_out"))
        except (Unreachable, PermanentFailure, TemporaryFailure) as exc:
            log.info("timed-out report not announced: %s", type(exc).__name__)


def _buttons(*actions: str) -> CallbackQueryHandler:  # type: ignore[type-arg]
    return CallbackQueryHandler(_in_time(step), pattern=cb.pattern(cb.REPORT, *actions))


def conversation() -> ConversationHandler:  # type: ignore[type-arg]
    """The report conversation, one per person and chat, persistent: a restart continues it at the same step.

    It is tracked per chat, not per message, on purpose: each step edits the one flow message, and a
    button of any other message is answered as stale by the handlers themselves. PTB's own
    `conversation_timeout` is not used (its jobs die with the process): `_in_time` and
    `close_abandoned_reports` close an abandoned report from the time kept with the draft.
    """
    text = filters.TEXT & ~filters.COMMAND
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(begin, pattern=cb.pattern(cb.REPORT, cb.TALKED, cb.OTHER_OUTCOME))],
        states={
            **{question.state: [_buttons(question.action, *([cb.BACK] if question is not QUESTIONS[0] else []))]
               for question in QUESTIONS},
            NEW_PRESIDENT: [MessageHandler(text, _in_time(typed_new_president)),
                            _buttons(cb.NEW_PRESIDENT, cb.BACK)],
            NEEDS: [_buttons(cb.NEED, cb.NEED_TEXT, cb.NEEDS_DONE)],
            NEED_TEXT: [MessageHandler(text, _in_time(typed_need))],
            NOTE_TEXT: [MessageHandler(text, _in_time(typed_note))],
            REVIEW: [CallbackQueryHandler(_in_time(save), pattern=cb.pattern(cb.REPORT, cb.SAVE)),
                     _buttons(cb.ADD_NEEDS, cb.ADD_NOTE, cb.BACK)],
        },
        fallbacks=[
            CommandHandler("cancel", _in_time(cancel)),
            CallbackQueryHandler(_in_time(cancel), pattern=cb.pattern(cb.REPORT, cb.CANCEL)),
            CallbackQueryHandler(_in_time(stale_button), pattern=cb.pattern(cb.REPORT)),
            MessageHandler(~filters.COMMAND, _in_time(stray)),
        ],
        allow_reentry=True,
        name="call_report",
        persistent=True,
    )


@registered
async def stale_button(update: Update, context: Context, session: AsyncSession, person: OfficeBearer) -> None:
    """A report button that does not belong to the step on screen, or to any open report."""
    assert update.callback_query
    await update.callback_query.answer(translate(language_for(context, person), "button.stale"), show_alert=True)


async def nothing_open(update: Update, context: Context) -> None:
    """`/cancel` with no report open."""
    await answer(update, translate(language_for(context, None), "report.nothing_to_cancel"))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Add the report conversation and its out-of-flow answers."""
    private = filters.ChatType.PRIVATE
    app.add_handler(conversation())
    app.add_handler(CallbackQueryHandler(stale_button, pattern=cb.pattern(cb.REPORT)))
    app.add_handler(CommandHandler("cancel", nothing_open, filters=private))
