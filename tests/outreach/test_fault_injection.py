"""The morning push over real HTTP while the Bot API misbehaves at random (seeded) moments: 5xx answers,
timeouts, dropped connections and a storm of 429s.

Where Telegram did not carry a call out, every morning message still arrives exactly once. Where it carried it
out but its answer was lost (a timeout or a hang-up after the message went), the bot cannot know the message
arrived: it treats the failure as temporary and sends again, so that person gets the message twice, and the
delivery is `sent` with the id of the second one. At least once, never lost: a duplicate is the price of a
lost answer, since the Bot API has no idempotency key.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import select
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import DeliveryStats, deliver_pending, push_day, senders_for
from bot.runtime.ratelimit import PacedRateLimiter
from bot.sandbox import FakeTelegram, load_spec
from handlers.channel import TelegramChannel
from models import Delivery, DeliveryStatus, OfficeBearer
from tests.conftest import Database
from tests.factories import NOW, make_roster

RATE = 200
PEOPLE = 50
DAY = NOW.date()
QUICK_RETRIES = (0.05, 0.1)
READ_TIMEOUT = 0.3
STALL = 0.6
Fault = Callable[[FakeTelegram], None]


def _answered(fake: FakeTelegram) -> None:
    fake.stall_next("sendMessage", seconds=0, processed=True)  # held for no time at all: a normal answer


NOT_PROCESSED: dict[str, Fault] = {
    "500": lambda fake: fake.fail_next("sendMessage", status=500),
    "502": lambda fake: fake.fail_next("sendMessage", status=502),
    "timeout": lambda fake: fake.stall_next("sendMessage", seconds=STALL, processed=False),
    "dropped": lambda fake: fake.drop_next("sendMessage", processed=False),
}
ANSWER_LOST: dict[str, Fault] = {
    "timeout after sending": lambda fake: fake.stall_next("sendMessage", seconds=STALL, processed=True),
    "dropped after sending": lambda fake: fake.drop_next("sendMessage", processed=True),
}


def _storm(fake: FakeTelegram) -> None:
    """More 429s in a row than the rate limiter retries (3), so the delivery's own retry takes over."""
    fake.fail_next("sendMessage", status=429, retry_after=1, count=5)


def inject(fake: FakeTelegram, *, seed: int, calls: int, storm: bool = False, answer_lost: int = 0) -> Counter[str]:
    """Plan the first `calls` sendMessage calls: about one in four faulty, perhaps a 429 storm, and
    `answer_lost` calls carried out whose answer never arrives; returns how many of each fault were planned."""
    rng = random.Random(seed)
    plan: list[tuple[str, Fault]] = [
        (name, NOT_PROCESSED[name]) if rng.random() < 0.25 else ("answered", _answered)
        for name in rng.choices(sorted(NOT_PROCESSED), k=calls)]
    if storm:
        plan.insert(rng.randrange(len(plan)), ("429 storm", _storm))
    for _ in range(answer_lost):
        name = rng.choice(sorted(ANSWER_LOST))
        plan.insert(rng.randrange(len(plan)), (name, ANSWER_LOST[name]))
    for _, fault in plan:
        fault(fake)
    return Counter(name for name, _ in plan if name != "answered")


@asynccontextmanager
async def channel_over_http(fake: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    """The production stack (ExtBot, PacedRateLimiter scaled to `RATE`) over real HTTP to the served fake,
    giving up on an answer after `READ_TIMEOUT` seconds."""
    request = HTTPXRequest(read_timeout=READ_TIMEOUT, connection_pool_size=senders_for(RATE))
    async with fake.serve() as base_url, ExtBot(fake.token, base_url=base_url, request=request,
                                                rate_limiter=PacedRateLimiter(per_second=RATE)) as bot:
        yield TelegramChannel(bot, "hi")


async def _roster(db: Database, fake: FakeTelegram) -> list[OfficeBearer]:
    async with db.sessions() as session:
        roster = await make_roster(session, callers=PEOPLE, booths=2 * PEOPLE)
        await session.commit()
    for person in roster:
        assert person.telegram_user_id is not None
        fake.add_user(person.telegram_user_id, person.name, started=True)
    return roster


async def push_until_done(db: Database, channel: TelegramChannel) -> list[DeliveryStats]:
    """The morning push, then the retry job's passes until nothing is left pending (at most three more)."""
    passes = [await push_day(db.sessions, channel, day=DAY, clock=lambda: NOW, policy=RotationPolicy(),
                             retry_delays=QUICK_RETRIES)]
    while passes[-1].retry_later and len(passes) < 4:
        passes.append(await deliver_pending(db.sessions, channel, day=DAY, clock=lambda: NOW,
                                            retry_delays=QUICK_RETRIES))
    return passes


async def _deliveries(db: Database) -> dict[int, Delivery]:
    async with db.sessions() as session:
        rows = (await session.execute(select(Delivery, OfficeBearer.telegram_user_id)
                                      .join(OfficeBearer, Delivery.office_bearer_id == OfficeBearer.id))).all()
    return {chat_id: delivery for delivery, chat_id in rows}


async def test_faults_telegram_did_not_carry_out_still_deliver_every_message_exactly_once(db: Database) -> None:
    fake = FakeTelegram(spec=load_spec(), enforce_rate_limits=True, global_per_second=RATE)
    roster = await _roster(db, fake)
    planned = inject(fake, seed=5, calls=PEOPLE, storm=True)
    assert set(planned) == {"500", "502", "timeout", "dropped", "429 storm"}

    async with channel_over_http(fake) as channel:
        passes = await push_until_done(db, channel)

    assert passes[-1].retry_later == 0
    answers = Counter(call.status or call.description for call in fake.requests if call.method == "sendMessage")
    assert (answers[429], answers["connection dropped"], answers[504]) == (
        5, planned["dropped"], planned["timeout"])
    assert Counter(message.chat_id for message in fake.sent) == Counter(
        {person.telegram_user_id: 1 for person in roster})
    deliveries = await _deliveries(db)
    assert {d.status for d in deliveries.values()} == {DeliveryStatus.sent}
    assert all(deliveries[chat].telegram_message_id == fake.messages(chat)[0].message_id for chat in deliveries)
    assert fake.violations == []


async def test_an_answer_lost_after_telegram_sent_the_message_means_that_one_message_goes_twice(
        db: Database) -> None:
    fake = FakeTelegram(spec=load_spec(), enforce_rate_limits=True, global_per_second=RATE)
    roster = await _roster(db, fake)
    planned = inject(fake, seed=11, calls=PEOPLE, answer_lost=4)
    lost = sum(planned[name] for name in ANSWER_LOST)
    assert lost == 4

    async with channel_over_http(fake) as channel:
        passes = await push_until_done(db, channel)

    assert passes[-1].retry_later == 0
    received = Counter(message.chat_id for message in fake.sent)
    assert set(received) == {person.telegram_user_id for person in roster}, "a message was lost"
    assert sum(received.values()) == PEOPLE + lost, "each lost answer costs exactly one duplicate"
    deliveries = await _deliveries(db)
    assert {d.status for d in deliveries.values()} == {DeliveryStatus.sent}
    assert all(deliveries[chat].telegram_message_id == fake.messages(chat)[-1].message_id for chat in deliveries)
    assert fake.violations == []
