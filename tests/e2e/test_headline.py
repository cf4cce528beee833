"""The headline over the real bot: a caller who reports two calls that did not connect has spoken to no one,
and the secretary's /summary says so."""

from __future__ import annotations

from bot.sandbox import FakeMessage
from models import Role
from tests.e2e.conftest import Harness

NOT_REACHED = 1


def _not_reached(morning: FakeMessage, contact: int) -> str:
    data = morning.buttons[contact][NOT_REACHED][1]
    assert data is not None
    return data


async def test_reporting_only_calls_that_did_not_connect_counts_no_conversation(harness: Harness) -> None:
    caller, morning = await harness.caller_with_morning(user_id=6101)
    for contact in (0, 1):
        await harness.press(caller, _not_reached(morning, contact))
        await harness.tap(caller, "फ़ोन नहीं उठा", "सहेजें")
    secretary = await harness.new_user(user_id=6102, name="Sachiv Ji", role=Role.organisation_secretary)

    await harness.say(secretary, "/summary")
    text = secretary.last_message.text or ""

    assert "✅ बात हुई: 0 / 2 कॉल (0%)" in text
    assert "कोशिश की, बात नहीं हुई: 2 · गलत नंबर / अध्यक्ष बदले: 0 · रिपोर्ट बाकी: 0" in text
    assert "जिन्होंने कॉल की रिपोर्ट दी, पर किसी से बात नहीं हुई\nRavi Kumar (प्रदेश पदाधिकारी): 2 कॉल, 2 बार कोशिश" in text
