"""Telegram failing while a person reports a call: a report saved with one press is stored once, whatever
happened to the confirmation, a second press of the same button stores nothing more, and the bot goes on
answering.

A failing answerCallbackQuery or editMessageText is modelled by a 5xx or a dropped connection (with the call
carried out or not); python-telegram-bot raises a timeout as a kind of NetworkError, the same path.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import FakeMessage, FakeUser
from models import CallReport, Outcome
from tests.e2e.conftest import Harness

TALKED, NOT_REACHED = 0, 1
SAVE = "सहेजें"


async def _caller_with_contacts(h: Harness) -> tuple[FakeUser, FakeMessage]:
    return await h.caller_with_morning(user_id=6101)


def _button(morning: FakeMessage, contact: int, kind: int) -> str:
    data = morning.buttons[contact][kind][1]
    assert data is not None
    return data


async def _reports(h: Harness) -> list[tuple[int, Outcome]]:
    async with h.db.sessions() as session:
        rows = await session.execute(select(CallReport.assignment_id, CallReport.outcome).order_by(CallReport.id))
    return [(assignment, outcome) for assignment, outcome in rows]


async def _talked_to_review(h: Harness, user: FakeUser, morning: FakeMessage, contact: int = 0) -> None:
    await h.press(user, _button(morning, contact, TALKED))
    await h.tap(user, "सब कुशल", "मज़बूत")


async def test_a_failed_confirmation_after_saving_stores_the_report_once_and_a_second_press_confirms_it(
        harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await _talked_to_review(harness, user, morning)
    harness.fake.fail_next("answerCallbackQuery", status=500)

    await harness.tap(user, SAVE)
    await harness.tap(user, SAVE)

    assert [outcome for _, outcome in await _reports(harness)] == [Outcome.talked]
    assert user.callback_answers[-2:] == ["⚠️ कुछ गड़बड़ हुई। कृपया थोड़ी देर बाद फिर कोशिश करें।", "✅ सहेज लिया"]
    assert "सहेज ली गई" in user.last_message.text
    assert user.last_message.buttons == []


async def test_a_non_final_outcome_is_not_stored_twice_when_the_edit_after_saving_is_lost(
        harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await harness.press(user, _button(morning, 0, NOT_REACHED))
    await harness.tap(user, "फ़ोन नहीं उठा")
    harness.fake.drop_next("editMessageText", processed=False)

    await harness.tap(user, SAVE)
    await harness.tap(user, SAVE)

    assert [outcome for _, outcome in await _reports(harness)] == [Outcome.no_answer]
    assert user.callback_answers[-1] == "✅ सहेज लिया"
    assert "सहेज ली गई" in user.last_message.text


async def test_an_edit_carried_out_whose_answer_was_lost_leaves_nothing_to_press_twice(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await _talked_to_review(harness, user, morning)
    harness.fake.drop_next("editMessageText", processed=True)

    await harness.tap(user, SAVE)

    assert len(await _reports(harness)) == 1
    assert "सहेज ली गई" in user.last_message.text
    assert user.last_message.buttons == []


async def test_the_bot_keeps_answering_through_failures_at_every_step(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    harness.fake.fail_next("answerCallbackQuery", status=502)
    await harness.press(user, _button(morning, 0, TALKED))
    await harness.press(user, _button(morning, 0, TALKED))
    harness.fake.drop_next("editMessageText", processed=False)
    await harness.tap(user, "सब कुशल")
    await harness.tap(user, "सब कुशल", "मज़बूत", SAVE)
    harness.fake.fail_next("sendMessage", status=500)
    await harness.press(user, _button(morning, 1, TALKED))
    await _talked_to_review(harness, user, morning, contact=1)
    await harness.tap(user, SAVE)

    reports = await _reports(harness)
    assert [outcome for _, outcome in reports] == [Outcome.talked, Outcome.talked]
    assert len({assignment for assignment, _ in reports}) == 2
