"""Keyboards as pure functions: what the person sees as buttons, in their language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.i18n import translate
from bot.outreach.delivery import Contact
from bot.outreach.reports import NOT_KNOWN, ReportDraft
from handlers import callbacks as cb
from models import NeedCategory, Outcome


def _button(language: str, key: str, data: str, **params: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(translate(language, key, **params), callback_data=data)


def share_contact(language: str) -> ReplyKeyboardMarkup:
    """The one-button keyboard that shares the person's own phone number."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(translate(language, "register.share_button"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True)


def morning(language: str, contacts: tuple[Contact, ...]) -> InlineKeyboardMarkup:
    """Under the morning message: for each contact, report a call that got through, or one that did not."""
    return InlineKeyboardMarkup([
        [_button(language, "push.button.talked", cb.build(cb.REPORT, cb.TALKED, c.assignment_id), n=c.slot),
         _button(language, "push.button.other", cb.build(cb.REPORT, cb.OTHER_OUTCOME, c.assignment_id),
                 n=c.slot)]
        for c in contacts
    ])


def other_outcomes(language: str, draft: ReportDraft) -> InlineKeyboardMarkup:
    """The outcomes of a call that did not get through."""
    aid = draft.assignment_id
    rows = [[_button(language, f"attempts.outcome.{outcome.value}", cb.build(cb.REPORT, cb.OUTCOME, aid, code))]
            for code, outcome in cb.OUTCOME_CODES.items() if outcome is not Outcome.talked]
    rows.append([_button(language, "report.button.talked_after_all",
                         cb.build(cb.REPORT, cb.OUTCOME, aid, cb.code_of(cb.OUTCOME_CODES, Outcome.talked)))])
    rows.append([_button(language, "report.button.cancel", cb.build(cb.REPORT, cb.CANCEL, aid))])
    return InlineKeyboardMarkup(rows)


def new_president(language: str, draft: ReportDraft) -> InlineKeyboardMarkup:
    """Under "who holds the post now?": skip (the name and number are typed), back, or cancel."""
    aid = draft.assignment_id
    return InlineKeyboardMarkup([
        [_button(language, "attempts.button.skip", cb.build(cb.REPORT, cb.NEW_PRESIDENT, aid,
                                                            cb.code_of(cb.NEW_PRESIDENT_CODES, NOT_KNOWN)))],
        [_button(language, "report.button.back", cb.build(cb.REPORT, cb.BACK, aid)),
         _button(language, "report.button.cancel", cb.build(cb.REPORT, cb.CANCEL, aid))]])


def call_back_day(language: str, draft: ReportDraft) -> InlineKeyboardMarkup:
    """When to call again: later today, tomorrow, the day after, or in a week."""
    aid = draft.assignment_id
    days = [_button(language, f"call_back.in_days.{code}", cb.build(cb.REPORT, cb.CALL_BACK_DAY, aid, code))
            for code in cb.CALL_BACK_CODES]
    return InlineKeyboardMarkup([days[:2], days[2:], [
        _button(language, "report.button.back", cb.build(cb.REPORT, cb.BACK, aid)),
        _button(language, "report.button.cancel", cb.build(cb.REPORT, cb.CANCEL, aid))]])


def wellbeing(language: str, draft: ReportDraft) -> InlineKeyboardMarkup:
    """How the booth president and family are."""
    aid = draft.assignment_id
    return InlineKeyboardMarkup([
        [_button(language, f"wellbeing.{value.value}", cb.build(cb.REPORT, cb.WELLBEING, aid, code))
         for code, value in cb.WELLBEING_CODES.items()],
        [_button(language, "report.button.back", cb.build(cb.REPORT, cb.BACK, aid)),
         _button(language, "report.button.cancel", cb.build(cb.REPORT, cb.CANCEL, aid))],
    ])


def position(language: str, draft: ReportDraft) -> InlineKeyboardMarkup:
    """The party's position in the booth, as the booth president sees it."""
    aid = draft.assignment_id
    return InlineKeyboardMarkup([
        [_button(language, f"strength.{value.value}", cb.build(cb.REPORT, cb.POSITION, aid, code))
         for code, value in cb.POSITION_CODES.items()],
        [_button(language, "report.button.back", cb.build(cb.REPORT, cb.BACK, aid)),
         _button(language, "report.button.cancel", cb.build(cb.REPORT, cb.CANCEL, aid))],
    ])


def needs(language: str, draft: ReportDraft) -> InlineKeyboardMarkup:
    """Need categories to switch on and off, a way to describe them in words, and done."""
    aid = draft.assignment_id
    choices = [
        _button(language, "report.need_choice", cb.build(cb.REPORT, cb.NEED, aid, code),
                mark="✅" if category in draft.needs else "▫️",
                label=translate(language, f"need.{category.value}"))
        for code, category in cb.NEED_CODES.items() if category is not NeedCategory.other
    ]
    rows = [choices[i:i + 2] for i in range(0, len(choices), 2)]
    rows.append([_button(language, "report.button.need_text", cb.build(cb.REPORT, cb.NEED_TEXT, aid))])
    rows.append([_button(language, "report.button.needs_done", cb.build(cb.REPORT, cb.NEEDS_DONE, aid))])
    return InlineKeyboardMarkup(rows)


def review(language: str, draft: ReportDraft) -> InlineKeyboardMarkup:
    """The confirmation step: save, add needs or a note, go back, or cancel."""
    aid = draft.assignment_id
    rows = [[_button(language, "report.button.save", cb.build(cb.REPORT, cb.SAVE, aid))]]
    extras = [_button(language, "report.button.add_note", cb.build(cb.REPORT, cb.ADD_NOTE, aid))]
    if draft.talked:
        extras.insert(0, _button(language, "report.button.add_needs", cb.build(cb.REPORT, cb.ADD_NEEDS, aid)))
    rows.append(extras)
    rows.append([_button(language, "report.button.back", cb.build(cb.REPORT, cb.BACK, aid)),
                 _button(language, "report.button.cancel", cb.build(cb.REPORT, cb.CANCEL, aid))])
    return InlineKeyboardMarkup(rows)


def languages() -> InlineKeyboardMarkup:
    """Choose हिंदी or English (each named in its own script)."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("हिंदी", callback_data=cb.build(cb.LANGUAGE, cb.SET_LANGUAGE, 0, "hi")),
        InlineKeyboardButton("English", callback_data=cb.build(cb.LANGUAGE, cb.SET_LANGUAGE, 0, "en")),
    ]])
