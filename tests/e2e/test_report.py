"""The morning push and the call-report conversation, end to end."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import FakeMessage, FakeUser
from models import (
    Assignment,
    BoothPresident,
    CallReport,
    Need,
    NeedCategory,
    OfficeBearer,
    Outcome,
    Strength,
    Wellbeing,
)
from tests.e2e.conftest import Harness
from tests.factories import make_booth, make_office_bearer

TALKED, NOT_REACHED = 0, 1


async def _caller_with_contacts(h: Harness, *, user_id: int = 6001,
                                president: str | None = None) -> tuple[FakeUser, FakeMessage]:
    return await h.caller_with_morning(user_id=user_id, president=president)


def _button(morning: FakeMessage, contact: int, kind: int) -> str:
    data = morning.buttons[contact][kind][1]
    assert data is not None
    return data


async def _reports(h: Harness) -> list[CallReport]:
    async with h.db.sessions() as session:
        return list((await session.execute(select(CallReport).order_by(CallReport.id))).scalars())


async def test_the_morning_message_names_two_booth_presidents_with_report_buttons(harness: Harness) -> None:
    _, morning = await _caller_with_contacts(harness)

    assert morning.parse_mode == "HTML"
    assert morning.text.count("📞 +91") == 2
    assert "हालचाल" in morning.text
    labels = [label for row in morning.buttons for label, _ in row]
    assert labels == ["1 ✅ बात हुई", "1 ❌ बात नहीं हुई", "2 ✅ बात हुई", "2 ❌ बात नहीं हुई"]


async def test_names_with_html_characters_are_escaped(harness: Harness) -> None:
    _, morning = await _caller_with_contacts(harness, president="Ram & Shyam <Yadav>")

    assert "Ram &amp; Shyam &lt;Yadav&gt;" in morning.raw_text
    assert "Ram & Shyam <Yadav>" in morning.text


async def test_a_talked_call_is_reported_in_four_taps_in_hindi(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)

    await harness.press(user, _button(morning, 0, TALKED))
    question = user.last_message.text
    await harness.tap(user, "सब कुशल", "मज़बूत", "सहेजें")

    assert "हालचाल" in question
    (report,) = await _reports(harness)
    assert (report.outcome, report.wellbeing, report.booth_position) == (
        Outcome.talked, Wellbeing.well, Strength.strong)
    assert "सहेज ली गई" in user.last_message.text
    assert len(user.callback_answers) == 4


async def test_a_full_report_with_needs_and_a_note_in_english(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await harness.say(user, "/language")
    await harness.tap(user, "English")

    await harness.press(user, _button(morning, 1, TALKED))
    await harness.tap(user, "concern", "Weak", "Add needs", "Voter list", "Describe in words")
    await harness.say(user, "Need a meeting hall & chairs")
    await harness.tap(user, "Done", "Add a note")
    await harness.say(user, "Family wedding next week")
    review = user.last_message
    await harness.tap(user, "Save")

    assert "Need a meeting hall &amp; chairs" in review.versions[0].raw_text
    (report,) = await _reports(harness)
    assert (report.outcome, report.wellbeing, report.booth_position) == (
        Outcome.talked, Wellbeing.concern, Strength.weak)
    assert report.notes == "Family wedding next week"
    async with harness.db.sessions() as session:
        needs = {(n.category, n.detail) for n in (await session.execute(select(Need))).scalars()}
    assert needs == {(NeedCategory.voter_list, "Need a meeting hall & chairs")}


async def test_a_wrong_number_is_flagged_for_the_admin(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)

    await harness.press(user, _button(morning, 0, NOT_REACHED))
    await harness.tap(user, "गलत नंबर", "सहेजें")

    (report,) = await _reports(harness)
    assert report.outcome is Outcome.wrong_number
    async with harness.db.sessions() as session:
        assignment = await session.get_one(Assignment, report.assignment_id)
        president = await session.get_one(BoothPresident, assignment.booth_president_id)
    assert president.phone_reported_wrong_at is not None
    assert "आईटी प्रकोष्ठ" in user.last_message.text


async def test_cancel_saves_nothing_and_the_old_buttons_are_then_stale(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await harness.press(user, _button(morning, 0, TALKED))
    flow = user.last_message

    await harness.say(user, "/cancel")
    await harness.press(user, flow.buttons[0][0][1] or "", message_id=flow.message_id)

    assert await _reports(harness) == []
    assert "रद्द" in user.last_message.text
    assert "पुराना" in (user.callback_answers[-1] or "")


async def test_typed_text_or_a_sticker_where_a_button_is_expected_gets_a_hint(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await harness.press(user, _button(morning, 0, TALKED))
    flow = user.last_message

    await harness.say(user, "sab theek hai")
    hint = user.last_message
    await user.send_sticker()
    await harness.settle()
    sticker_hint = user.last_message
    await harness.tap(user, "सब कुशल")

    assert "बटन" in hint.text
    assert "बटन" in sticker_hint.text
    assert "स्थिति" in flow.text


async def test_back_returns_to_the_previous_question(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await harness.press(user, _button(morning, 0, TALKED))

    await harness.tap(user, "सब कुशल")
    position_question = user.last_message.text
    await harness.tap(user, "पीछे")

    assert "स्थिति" in position_question
    assert "हालचाल" in user.last_message.text


async def test_a_call_reported_as_talked_cannot_be_reported_again(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await harness.press(user, _button(morning, 0, TALKED))
    await harness.tap(user, "सब कुशल", "मध्यम", "सहेजें")

    await harness.press(user, _button(morning, 0, TALKED), message_id=morning.message_id)

    assert len(await _reports(harness)) == 1
    assert "पहले ही" in (user.callback_answers[-1] or "")


async def test_someone_elses_report_button_is_refused(harness: Harness) -> None:
    _, morning = await _caller_with_contacts(harness)
    async with harness.db.sessions() as session:
        other = await make_office_bearer(session, name="Other Person")
        await session.commit()
    intruder = await harness.register(other, user_id=6999)
    forged = _button(morning, 0, TALKED)

    await harness.fake.queue_callback_query(intruder, morning, forged)
    await harness.settle()

    assert await _reports(harness) == []
    assert "आपको नहीं" in (intruder.callback_answers[-1] or "")


async def test_the_evening_reminder_lists_only_unreported_calls(harness: Harness) -> None:
    user, morning = await _caller_with_contacts(harness)
    await harness.press(user, _button(morning, 0, TALKED))
    await harness.tap(user, "सब कुशल", "मध्यम", "सहेजें")

    harness.clock.advance(hours=11)
    assert await harness.remind() == 1
    reminder = user.last_message

    assert reminder.text.count("•") == 1
    assert [label for row in reminder.buttons for label, _ in row] == ["2 ✅ बात हुई", "2 ❌ बात नहीं हुई"]


async def test_a_second_push_the_same_day_sends_nothing(harness: Harness) -> None:
    user, _ = await _caller_with_contacts(harness)

    stats = await harness.push()
    await harness.settle()

    assert stats.sent == 0
    assert len([m for m in user.messages if "बूथ अध्यक्षों से बात करें" in (m.text or "")]) == 1


async def test_a_person_who_blocked_the_bot_is_recorded_as_unreachable(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        for _ in range(4):
            await make_booth(session)
        person = await make_office_bearer(session)
        await session.commit()
    await harness.register(person, user_id=6101)
    harness.fake.block(6101)

    stats = await harness.push()

    assert stats.unreachable == 1
    async with harness.db.sessions() as session:
        stored = await session.get_one(OfficeBearer, person.id)
    assert stored.unreachable_reason == "blocked"
