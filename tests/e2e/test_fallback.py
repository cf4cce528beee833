"""What nothing else handles still gets an answer: unknown commands, stray messages, unknown buttons."""

from __future__ import annotations

from bot.i18n import translate
from tests.e2e.conftest import Harness


async def test_an_unknown_command_points_to_help(harness: Harness) -> None:
    user = await harness.new_user(user_id=9601, language="en")

    await harness.say(user, "/report")

    assert user.last_message.text == "I don't know that command. Your commands: /help"


async def test_a_message_outside_any_report_explains_the_buttons(harness: Harness) -> None:
    user = await harness.new_user(user_id=9602)

    await harness.say(user, "कल बात हो गई थी")
    text_answer = user.last_message.text
    await user.send_sticker()
    await harness.settle()

    assert "सुबह के संदेश के नीचे के बटन" in text_answer
    assert user.last_message.text == text_answer


async def test_someone_not_registered_is_asked_to_start(harness: Harness) -> None:
    stranger = harness.fake.add_user(user_id=9603, first_name="Stranger")

    await harness.say(stranger, "hello")

    assert "/start" in stranger.last_message.text


async def test_a_button_no_feature_knows_is_answered_as_stale(harness: Harness) -> None:
    user = await harness.new_user(user_id=9604, language="en")
    await harness.say(user, "/help")

    await harness.fake.queue_callback_query(user, user.last_message, "old:feature:7")
    await harness.settle()

    assert user.callback_answers[-1] == translate("en", "button.stale")
