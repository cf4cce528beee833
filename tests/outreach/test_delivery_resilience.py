"""Flood-safe delivery through the real python-telegram-bot stack, against a fake Telegram that enforces its
rate limits: nothing lost, nothing sent twice, 429/5xx/400 each handled as Telegram means them, and a push
killed in the middle resumes.

Time is scaled: the fake and the bot's rate limiter allow `RATE` messages a second instead of Telegram's 30,
so a few hundred messages take a second or two. The code paths are the ones production runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import LEASE, DeliveryStats, deliver_pending, push_day, senders_for
from bot.runtime.ratelimit import JSONDict, PacedRateLimiter
from bot.sandbox import FakeTelegram, load_spec
from handlers.channel import TelegramChannel
from models import Delivery, DeliveryStatus, OfficeBearer
from tests.conftest import Database
from tests.factories import NOW, make_roster

RATE = 200
PEOPLE = 200
DAY = NOW.date()
QUICK_RETRIES = (0.05, 0.1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def fake() -> FakeTelegram:
    """A fake Telegram allowing `RATE` messages a second overall (and about one a second per chat)."""
    return FakeTelegram(spec=load_spec(), enforce_rate_limits=True, global_per_second=RATE)


@asynccontextmanager
async def telegram(fake: FakeTelegram, *, paid_broadcast: bool = False) -> AsyncIterator[TelegramChannel]:
    """A python-telegram-bot Bot with the production rate limiter (scaled to `RATE`), as a delivery channel."""
    bot = ExtBot(fake.token, base_url=fake.base_url, request=fake.ptb_request(),
                 rate_limiter=PacedRateLimiter(per_second=RATE))
    async with bot:
        yield TelegramChannel(bot, "hi", paid_broadcast=paid_broadcast)


async def _roster(db: Database, fake: FakeTelegram, people: int = PEOPLE) -> list[OfficeBearer]:
    async with db.sessions() as session:
        roster = await make_roster(session, callers=people, booths=2 * people)
        await session.commit()
    for person in roster:
        assert person.telegram_user_id is not None
        fake.add_user(person.telegram_user_id, person.name, started=True)
    return roster


async def _push(db: Database, channel: TelegramChannel, clock: Clock | None = None,
                retry_delays: Sequence[float] = QUICK_RETRIES) -> DeliveryStats:
    return await push_day(db.sessions, channel, day=DAY, clock=clock or Clock(), policy=RotationPolicy(),
                          retry_delays=retry_delays)


def _received(fake: FakeTelegram) -> Counter[int]:
    return Counter(message.chat_id for message in fake.sent)


def _answers(fake: FakeTelegram, status: int) -> int:
    return sum(1 for call in fake.requests if call.method == "sendMessage" and call.status == status)


async def _statuses(db: Database) -> Counter[DeliveryStatus]:
    async with db.sessions() as session:
        return Counter((await session.execute(select(Delivery.status))).scalars())


async def test_hundreds_of_messages_go_once_each_with_two_contacts_and_no_429(
        db: Database, fake: FakeTelegram) -> None:
    roster = await _roster(db, fake)

    async with telegram(fake) as channel:
        stats = await _push(db, channel)

    assert stats.sent == PEOPLE
    assert _received(fake) == Counter({person.telegram_user_id: 1 for person in roster})
    assert all(message.text.count("📞 +91") == 2 for message in fake.sent)
    assert _answers(fake, 429) == 0
    assert fake.violations == []
    assert await _statuses(db) == Counter({DeliveryStatus.sent: PEOPLE})


class GateRecordingLimiter(PacedRateLimiter):
    """The production limiter, noting in order, on its own clock, each request it lets through its gate and
    each 429 it handles."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(per_second=RATE, clock=clock)
        self.moment = clock
        self.events: list[tuple[str, float]] = []

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """The limiter's own handling, with a message noted as it leaves the gate and a 429 as it comes back."""
        if data.get("chat_id") is None:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

        async def noted(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            self.events.append(("passed", self.moment()))
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter:
                self.events.append(("429", self.moment()))
                raise

        return await super().process_request(noted, args, kwargs, endpoint, data, rate_limit_args)


async def test_a_429_is_honoured_and_the_message_still_goes_once(db: Database, fake: FakeTelegram) -> None:
    roster = await _roster(db, fake, people=40)
    fake.fail_next("sendMessage", status=429, retry_after=1)
    limiter = GateRecordingLimiter(time.monotonic)

    bot = ExtBot(fake.token, base_url=fake.base_url, request=fake.ptb_request(), rate_limiter=limiter)
    async with bot:
        stats = await _push(db, TelegramChannel(bot, "hi"))

    assert (stats.sent, stats.retry_later) == (40, 0)
    assert _answers(fake, 429) == 1
    assert _received(fake) == Counter({person.telegram_user_id: 1 for person in roster})
    handled = [index for index, (event, _) in enumerate(limiter.events) if event == "429"]
    assert len(handled) == 1
    refused_at = limiter.events[handled[0]][1]
    after = [moment for event, moment in limiter.events[handled[0] + 1:] if event == "passed"]
    assert after, "the refused message was not sent again"
    assert all(moment >= refused_at + 1 for moment in after), "the gate let a request through before retry_after"


async def test_server_errors_are_retried_in_the_same_pass_and_each_message_goes_once(
        db: Database, fake: FakeTelegram) -> None:
    roster = await _roster(db, fake, people=40)
    fake.fail_next("sendMessage", status=500, count=2)
    fake.fail_next("sendMessage", status=502)

    async with telegram(fake) as channel:
        stats = await _push(db, channel)

    assert (stats.sent, stats.retry_later) == (40, 0)
    assert (_answers(fake, 500), _answers(fake, 502), _answers(fake, 200)) == (2, 1, 40)
    assert _received(fake) == Counter({person.telegram_user_id: 1 for person in roster})


async def test_a_bad_request_fails_that_message_and_is_never_retried(db: Database, fake: FakeTelegram) -> None:
    await _roster(db, fake, people=40)
    fake.fail_next("sendMessage", status=400, description="Bad Request: message is too long")

    async with telegram(fake) as channel:
        stats = await _push(db, channel)
        again = await deliver_pending(db.sessions, channel, day=DAY, clock=Clock())

    assert (stats.sent, stats.failed, stats.retry_later, again.sent) == (39, 1, 0, 0)
    assert (_answers(fake, 400), _answers(fake, 200)) == (1, 39)
    assert set(_received(fake).values()) == {1}
    assert stats.reasons == {"Message is too long": 1}
    assert await _statuses(db) == Counter({DeliveryStatus.sent: 39, DeliveryStatus.failed: 1})


async def test_a_push_killed_in_the_middle_resumes_and_loses_nothing(db: Database, fake: FakeTelegram) -> None:
    roster = await _roster(db, fake)
    clock = Clock()

    async with telegram(fake) as channel:
        push = asyncio.create_task(_push(db, channel, clock))
        while len(fake.sent) < PEOPLE // 3:
            await asyncio.sleep(0.005)
        push.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await push
        async with db.sessions() as session:
            in_flight = set((await session.execute(select(OfficeBearer.telegram_user_id).join(
                Delivery, Delivery.office_bearer_id == OfficeBearer.id).where(
                Delivery.status == DeliveryStatus.sending))).scalars())
        before_lease = await deliver_pending(db.sessions, channel, day=DAY, clock=clock)
        clock.now += LEASE + timedelta(seconds=1)
        after_lease = await deliver_pending(db.sessions, channel, day=DAY, clock=clock)

    received = _received(fake)
    assert 0 < len(in_flight) <= senders_for(channel.max_rate)
    assert before_lease.reclaimed == 0, "a row still within its sender's lease was taken"
    assert after_lease.reclaimed == len(in_flight)
    assert set(received) == {person.telegram_user_id for person in roster}, "a message was lost"
    repeated = {chat for chat, count in received.items() if count > 1}
    assert repeated <= in_flight, "only a message in flight at the kill may go twice (the residual window)"
    assert max(received.values()) <= 2
    assert await _statuses(db) == Counter({DeliveryStatus.sent: PEOPLE})


async def test_two_pushes_at_once_from_two_bots_send_each_message_once(db: Database, fake: FakeTelegram) -> None:
    roster = await _roster(db, fake, people=80)

    async with telegram(fake) as first, telegram(fake) as second:
        one, two = await asyncio.gather(_push(db, first), _push(db, second))
        mop_up = await deliver_pending(db.sessions, first, day=DAY, clock=Clock())

    assert one.sent + two.sent + mop_up.sent == 80
    assert _received(fake) == Counter({person.telegram_user_id: 1 for person in roster})


async def test_paid_broadcast_marks_the_push_and_raises_the_number_of_senders(
        db: Database, fake: FakeTelegram) -> None:
    await _roster(db, fake, people=20)

    async with telegram(fake, paid_broadcast=True) as channel:
        stats = await _push(db, channel)

    assert stats.sent == 20
    sends = [call for call in fake.requests if call.method == "sendMessage"]
    assert all(str(call.params.get("allow_paid_broadcast")).lower() == "true" for call in sends)
    assert fake.violations == []
    assert senders_for(channel.max_rate) > senders_for(30) >= 8
