"""Calls that did not connect, and booth presidents who cannot be called as the roster stands, end to end."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import FakeMessage, FakeUser
from models import Assignment, BoothPresident, CallReport, Correction, CorrectionKind, CorrectionStatus, Outcome
from tests.e2e.conftest import Harness

NOT_REACHED = 1


async def _morning(h: Harness, booths: int = 8) -> tuple[FakeUser, FakeMessage]:
    (person,) = await h.roster(booths, "Ravi Kumar")
    user = await h.register(person, user_id=6301)
    await h.push()
    return user, await user.next_message()


async def _next_morning(h: Harness, user: FakeUser) -> FakeMessage:
    h.clock.advance(days=1)
    await h.push()
    await h.settle()
    return user.last_message


async def _not_reached(h: Harness, user: FakeUser, morning: FakeMessage, *labels: str, contact: int = 0) -> None:
    await h.press(user, morning.buttons[contact][NOT_REACHED][1] or "", message_id=morning.message_id)
    await h.tap(user, *labels)


async def _assignments(h: Harness) -> list[Assignment]:
    async with h.db.sessions() as session:
        return list((await session.execute(select(Assignment).order_by(Assignment.day, Assignment.slot))).scalars())


async def _corrections(h: Harness) -> list[Correction]:
    async with h.db.sessions() as session:
        return list((await session.execute(select(Correction))).scalars())


async def test_a_call_that_did_not_connect_comes_first_the_next_morning_marked_as_a_second_attempt(
        harness: Harness) -> None:
    user, morning = await _morning(harness)
    await _not_reached(harness, user, morning, "फ़ोन नहीं उठा", "सहेजें", contact=1)
    confirmation = user.last_message.text
    missed = (await _assignments(harness))[1]

    again = await _next_morning(harness, user)

    assert "कल सुबह" in confirmation and "दूसरी कोशिश" in confirmation, confirmation
    first_card, second_card = again.text.split("\n\n")[1:3]
    today = [a for a in await _assignments(harness) if a.day == harness.today]
    assert (today[0].booth_president_id, today[0].attempt) == (missed.booth_president_id, 2)
    assert "🔁 दूसरी बार कोशिश — पिछली बार बात नहीं हो पाई" in first_card
    assert "🔁" not in second_card


async def test_after_three_days_without_a_conversation_the_booth_president_leaves_rotation(
        harness: Harness) -> None:
    user, morning = await _morning(harness)
    for outcome in ("फ़ोन नहीं उठा", "व्यस्त / कट गया"):
        await _not_reached(harness, user, morning, outcome, "सहेजें")
        morning = await _next_morning(harness, user)
    third_card = morning.text.split("\n\n")[1]
    await _not_reached(harness, user, morning, "बंद / पहुँच से बाहर", "सहेजें")
    closing = user.last_message.text
    president_id = (await _assignments(harness))[0].booth_president_id

    await _next_morning(harness, user)

    assert "तीसरी बार कोशिश" in third_card
    assert "3 बार कोशिश" in closing and "जिला प्रभारी" in closing
    async with harness.db.sessions() as session:
        president = await session.get_one(BoothPresident, president_id)
    assert president.unreachable_since is not None
    (correction,) = await _corrections(harness)
    assert (correction.kind, correction.booth_president_id) == (CorrectionKind.unreachable, president_id)
    assert president_id not in {a.booth_president_id for a in await _assignments(harness)
                                if a.day == harness.today}


async def test_a_conversation_on_the_second_attempt_closes_the_call(harness: Harness) -> None:
    user, morning = await _morning(harness)
    await _not_reached(harness, user, morning, "बंद / पहुँच से बाहर", "सहेजें")
    again = await _next_morning(harness, user)

    await harness.press(user, again.buttons[0][0][1] or "")
    await harness.tap(user, "सब कुशल", "मज़बूत", "सहेजें")
    await _next_morning(harness, user)

    calls = await _assignments(harness)
    president_id = calls[0].booth_president_id
    assert [a.booth_president_id for a in calls].count(president_id) == 2
    async with harness.db.sessions() as session:
        outcomes = (await session.execute(select(CallReport.outcome).order_by(CallReport.id))).scalars().all()
    assert outcomes == [Outcome.switched_off, Outcome.talked]
    assert await _corrections(harness) == []


async def test_the_evening_reminder_asks_to_try_again_a_call_that_did_not_connect(harness: Harness) -> None:
    user, morning = await _morning(harness)
    await _not_reached(harness, user, morning, "व्यस्त / कट गया", "सहेजें")
    await harness.press(user, morning.buttons[1][0][1] or "", message_id=morning.message_id)
    await harness.tap(user, "सब कुशल", "मज़बूत", "सहेजें")

    harness.clock.advance(hours=11)
    assert await harness.remind() == 1
    reminder = user.last_message

    assert reminder.text.count("•") == 1
    assert "फिर कॉल करें" in reminder.text
    assert [label for row in reminder.buttons for label, _ in row] == ["1 ✅ बात हुई", "1 ❌ बात नहीं हुई"]


async def test_no_longer_the_president_with_a_new_name_and_number_proposes_a_correction(harness: Harness) -> None:
    user, morning = await _morning(harness)
    await _not_reached(harness, user, morning, "अब बूथ अध्यक्ष नहीं")
    question = user.last_message.text

    await harness.say(user, "रमेश कुमार 12345 67890")
    hint, asked_again = user.messages[-2].text, user.last_message
    await harness.say(user, "रमेश कुमार 98765 43210")
    review = user.last_message.text
    await harness.tap(user, "सहेजें")

    assert "नाम और मोबाइल नंबर" in question
    assert "सही मोबाइल नंबर नहीं" in hint
    assert "नाम और मोबाइल नंबर" in asked_again.text and "छोड़ें" in asked_again.buttons[0][0][0]
    assert "नए बूथ अध्यक्ष: रमेश कुमार, +91 98765 43210" in review
    (correction,) = await _corrections(harness)
    assert (correction.kind, correction.status, correction.proposed_name, correction.proposed_phone) == (
        CorrectionKind.not_president, CorrectionStatus.proposed, "रमेश कुमार", "+919876543210")
    assert "जिला प्रभारी और आईटी प्रकोष्ठ" in user.last_message.text


async def test_no_longer_the_president_can_skip_the_new_name_and_go_back(harness: Harness) -> None:
    user, morning = await _morning(harness)
    await _not_reached(harness, user, morning, "अब बूथ अध्यक्ष नहीं", "छोड़ें")
    review = user.last_message.text
    await harness.tap(user, "पीछे")
    back_at_question = user.last_message.text
    await harness.tap(user, "पीछे")
    back_at_outcomes = [label for row in user.last_message.buttons for label, _ in row]
    await harness.tap(user, "अब बूथ अध्यक्ष नहीं", "छोड़ें", "सहेजें")

    assert "नए बूथ अध्यक्ष: पता नहीं" in review
    assert "नाम और मोबाइल नंबर" in back_at_question
    assert "व्यस्त / कट गया" in back_at_outcomes
    (correction,) = await _corrections(harness)
    assert (correction.kind, correction.status) == (CorrectionKind.not_president, CorrectionStatus.open)
    assert "जिला प्रभारी और आईटी प्रकोष्ठ" in user.last_message.text


async def test_a_wrong_number_opens_a_correction(harness: Harness) -> None:
    user, morning = await _morning(harness)

    await _not_reached(harness, user, morning, "गलत नंबर", "सहेजें")

    (correction,) = await _corrections(harness)
    (first, _) = await _assignments(harness)
    assert (correction.kind, correction.status, correction.booth_president_id) == (
        CorrectionKind.wrong_number, CorrectionStatus.open, first.booth_president_id)
    assert "जिला प्रभारी और आईटी प्रकोष्ठ" in user.last_message.text
