"""Someone who blocks the bot is marked unreachable, gets nothing more, and is back on /start."""

from __future__ import annotations

from sqlalchemy import select

from models import Delivery, DeliveryStatus, OfficeBearer
from tests.e2e.conftest import Harness


def _sends_to(h: Harness, chat_id: int) -> int:
    return sum(1 for call in h.fake.requests
               if call.method == "sendMessage" and str(call.params.get("chat_id")) == str(chat_id))


async def test_a_blocked_person_is_skipped_by_reminder_and_next_push_until_they_start_again(
        harness: Harness) -> None:
    h = harness
    blocker, other = await h.roster(8, "Sunil Verma", "Asha Singh")
    blocking_user = await h.register(blocker, user_id=7001)
    await h.register(other, user_id=7002)
    h.fake.block(blocking_user.user_id)

    morning = await h.push()
    attempts_after_push = _sends_to(h, 7001)
    reminded = await h.remind()
    h.clock.advance(days=1)
    next_day = await h.push()

    assert (morning.sent, morning.unreachable) == (1, 1)
    assert "blocked" in morning.reasons
    assert attempts_after_push == 1 + 3, "three registration replies, one push attempt answered 403"
    assert reminded == 1
    assert (next_day.sent, next_day.unreachable) == (1, 0)
    assert _sends_to(h, 7001) == attempts_after_push, "nothing more was tried after the 403"
    async with h.db.sessions() as session:
        person = await session.get_one(OfficeBearer, blocker.id)
        assert person.unreachable_reason == "blocked"
        days = (await session.execute(select(Delivery.day).where(
            Delivery.office_bearer_id == blocker.id))).scalars().all()
    assert len(days) == 1

    await h.say(blocking_user, "/start")
    h.clock.advance(days=1)
    third_day = await h.push()

    assert third_day.sent == 2
    assert blocking_user.last_message.text.count("📞 +91") == 2
    async with h.db.sessions() as session:
        person = await session.get_one(OfficeBearer, blocker.id)
        latest = (await session.execute(select(Delivery.status).where(
            Delivery.office_bearer_id == blocker.id).order_by(Delivery.day.desc()).limit(1))).scalar_one()
    assert person.unreachable_since is None
    assert latest is DeliveryStatus.sent
