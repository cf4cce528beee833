"""Registration by shared contact, over the real bot and a fake Telegram."""

from __future__ import annotations

from sqlalchemy import select

from models import OfficeBearer
from tests.e2e.conftest import Harness
from tests.factories import make_office_bearer


async def _roster_person(h: Harness, phone: str = "+919700000101") -> OfficeBearer:
    async with h.db.sessions() as session:
        person = await make_office_bearer(session, name="Asha Devi", phone=phone)
        await session.commit()
    return person


async def test_start_asks_for_the_own_number_with_a_contact_button(harness: Harness) -> None:
    user = harness.fake.add_user(user_id=5001, first_name="Asha")

    await user.send_text("/start")

    reply = await user.next_message()
    assert "मोबाइल नंबर" in reply.text
    assert reply.reply_markup is not None
    assert reply.reply_markup["keyboard"][0][0]["request_contact"] is True


async def test_sharing_the_own_roster_number_registers_the_person(harness: Harness) -> None:
    person = await _roster_person(harness)
    user = harness.fake.add_user(user_id=5002, first_name="Asha")

    await user.share_contact("097000-00101")

    reply = await user.next_message()
    assert "पंजीकरण हो गया" in reply.text
    assert "Asha Devi" in reply.text
    async with harness.db.sessions() as session:
        stored = await session.get_one(OfficeBearer, person.id)
    assert stored.telegram_user_id == 5002


async def test_someone_elses_contact_is_refused(harness: Harness) -> None:
    person = await _roster_person(harness)
    user = harness.fake.add_user(user_id=5003, first_name="Ravi")

    await user.share_contact(person.phone, user_id=9999)

    reply = await user.next_message()
    assert "अपना" in reply.text
    async with harness.db.sessions() as session:
        stored = await session.get_one(OfficeBearer, person.id)
    assert stored.telegram_user_id is None


async def test_an_unknown_number_is_politely_refused_and_sees_no_roster_data(harness: Harness) -> None:
    await _roster_person(harness)
    user = harness.fake.add_user(user_id=5004, first_name="Stranger")

    await user.share_contact("+919811111111")
    refusal = await user.next_message()
    await user.send_text("/summary")
    summary = await user.next_message()

    assert "सूची में नहीं" in refusal.text
    assert "पंजीकरण करें" in summary.text
    async with harness.db.sessions() as session:
        linked = (await session.execute(
            select(OfficeBearer).where(OfficeBearer.telegram_user_id == 5004))).scalar_one_or_none()
    assert linked is None


async def test_help_and_language_switch_to_english(harness: Harness) -> None:
    person = await _roster_person(harness)
    user = await harness.register(person, user_id=5005)

    await harness.say(user, "/language")
    choice = user.last_message
    await harness.tap(user, "English")
    await harness.say(user, "/help")

    assert harness.fake.message(user.user_id, choice.message_id).text.startswith("✅ I will speak English")
    assert "Every morning you receive" in user.last_message.text


async def test_the_bot_answers_in_groups_without_roster_data(harness: Harness) -> None:
    user = harness.fake.add_user(user_id=5006, first_name="Group member")

    await harness.fake.send_group_text(chat_id=-100500, user=user, text="/summary")
    await harness.settle()

    group_messages = [m for m in harness.fake.sent if m.chat_id == -100500]
    assert len(group_messages) == 1
    assert "निजी चैट" in group_messages[0].text


async def test_the_command_menu_is_set_in_hindi_and_english(harness: Harness) -> None:
    hindi = harness.fake.commands_for(None, "hi")
    english = harness.fake.commands_for(None, "en")
    default = harness.fake.commands_for(None, "")

    assert [c["command"] for c in english] == ["start", "help", "summary", "booth", "needs", "flags", "chart",
                                                 "export", "pause", "resume", "language", "corrections", "cancel",
                                                 "privacy"]
    assert english[1]["description"] == "Help"
    assert hindi[1]["description"] == "मदद" == default[1]["description"]
