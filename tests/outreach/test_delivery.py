"""Delivery: each morning message goes once, failures are recorded, nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import (
    LEASE,
    DeliveryStats,
    MorningMessage,
    Reminder,
    TemporaryFailure,
    Unreachable,
    deliver_pending,
    push_day,
    send_reminders,
)
from models import Assignment, Delivery, DeliveryStatus, OfficeBearer
from tests.conftest import Database
from tests.factories import NOW, make_assignment, make_booth, make_office_bearer, make_report

DAY = date(2026, 11, 20)


def clock() -> datetime:
    return NOW


class RecordingChannel:
    """Stands where Telegram would be: records messages, fails on request."""

    max_rate = 30.0

    def __init__(self, fail: Callable[[int], Exception | None] = lambda chat_id: None) -> None:
        self.morning: list[MorningMessage] = []
        self.reminders: list[Reminder] = []
        self.fail = fail

    async def send_morning(self, message: MorningMessage) -> int:
        await asyncio.sleep(0)
        error = self.fail(message.chat_id)
        if error:
            raise error
        self.morning.append(message)
        return len(self.morning)

    async def send_reminder(self, reminder: Reminder) -> int:
        self.reminders.append(reminder)
        return len(self.reminders)


async def _roster(db: Database, callers: int = 3, booths: int = 8) -> list[OfficeBearer]:
    async with db.sessions() as session:
        for _ in range(booths):
            await make_booth(session)
        people = [await make_office_bearer(session, telegram_user_id=1000 + i) for i in range(callers)]
        await session.commit()
    return people


async def _push(db: Database, channel: RecordingChannel, day: date = DAY,
                retry_delays: Sequence[float] = (0.01, 0.01)) -> DeliveryStats:
    return await push_day(db.sessions, channel, day=day, clock=clock, policy=RotationPolicy(),
                          retry_delays=retry_delays)


async def test_a_push_sends_one_message_with_two_contacts_to_each_caller(db: Database) -> None:
    people = await _roster(db)
    channel = RecordingChannel()

    stats = await _push(db, channel)

    assert stats.sent == 3
    assert sorted(m.chat_id for m in channel.morning) == sorted(p.telegram_user_id for p in people)
    assert all(len(m.contacts) == 2 for m in channel.morning)
    phones = [c.phone for m in channel.morning for c in m.contacts]
    assert len(set(phones)) == 6


async def test_pushing_again_or_twice_at_once_sends_nothing_twice(db: Database) -> None:
    await _roster(db, callers=4)
    channel = RecordingChannel()

    await asyncio.gather(_push(db, channel), _push(db, channel))
    await _push(db, channel)

    assert len(channel.morning) == 4
    assert len({m.chat_id for m in channel.morning}) == 4


async def test_a_blocked_person_is_marked_unreachable_and_the_others_still_get_theirs(db: Database) -> None:
    people = await _roster(db)
    blocked = people[1].telegram_user_id
    channel = RecordingChannel(lambda chat_id: Unreachable("blocked") if chat_id == blocked else None)

    stats = await _push(db, channel)

    assert (stats.sent, stats.unreachable) == (2, 1)
    async with db.sessions() as session:
        person = await session.get_one(OfficeBearer, people[1].id)
        delivery = (await session.execute(
            select(Delivery).where(Delivery.office_bearer_id == person.id))).scalar_one()
    assert person.unreachable_reason == "blocked"
    assert (delivery.status, delivery.error) == (DeliveryStatus.failed, "blocked")


async def test_a_temporary_failure_stays_pending_and_goes_out_on_the_next_pass(db: Database) -> None:
    await _roster(db, callers=2)
    failing = {"on": True, "tries": 0}

    def fail(chat_id: int) -> Exception | None:
        failing["tries"] += 1
        return TemporaryFailure("TimedOut") if failing["on"] else None

    channel = RecordingChannel(fail)

    first = await _push(db, channel, retry_delays=(0.01, 0.01))
    failing["on"] = False
    second = await deliver_pending(db.sessions, channel, day=DAY, clock=clock)

    assert (first.sent, first.retry_later) == (0, 2)
    assert failing["tries"] == 2 * 3 + 2
    assert second.sent == 2
    assert len(channel.morning) == 2


async def test_a_short_blip_is_retried_in_the_same_pass(db: Database) -> None:
    people = await _roster(db, callers=3)
    unlucky = people[0].telegram_user_id
    failures = {"left": 2}

    def fail(chat_id: int) -> Exception | None:
        if chat_id == unlucky and failures["left"]:
            failures["left"] -= 1
            return TemporaryFailure("NetworkError")
        return None

    channel = RecordingChannel(fail)

    stats = await _push(db, channel)

    assert (stats.sent, stats.retry_later) == (3, 0)
    assert sorted(m.chat_id for m in channel.morning) == sorted(p.telegram_user_id for p in people)


async def test_a_row_left_sending_by_a_dead_sender_is_taken_back_after_the_lease_and_sent_once(
        db: Database) -> None:
    people = await _roster(db, callers=3)
    channel = RecordingChannel()
    await _push(db, channel)
    dead, alive = people[0].id, people[1].id
    async with db.sessions() as session:
        await session.execute(update(Delivery).where(Delivery.office_bearer_id == dead).values(
            status=DeliveryStatus.sending, updated_at=NOW - LEASE - timedelta(seconds=1)))
        await session.execute(update(Delivery).where(Delivery.office_bearer_id == alive).values(
            status=DeliveryStatus.sending, updated_at=NOW - timedelta(seconds=30)))
        await session.commit()
    channel.morning.clear()

    stats = await deliver_pending(db.sessions, channel, day=DAY, clock=clock)
    again = await deliver_pending(db.sessions, channel, day=DAY, clock=clock)

    assert (stats.reclaimed, stats.sent, again.sent) == (1, 1, 0)
    assert [m.chat_id for m in channel.morning] == [people[0].telegram_user_id]
    async with db.sessions() as session:
        states = dict((await session.execute(select(Delivery.office_bearer_id, Delivery.status))).all())
    assert states[dead] is DeliveryStatus.sent
    assert states[alive] is DeliveryStatus.sending


async def test_the_morning_message_carries_what_was_heard_on_the_last_call(db: Database) -> None:
    async with db.sessions() as session:
        booth = await make_booth(session)
        await make_office_bearer(session, telegram_user_id=77)
        colleague = await make_office_bearer(session)
        earlier = await make_assignment(session, office_bearer=colleague, booth=booth, day=date(2026, 11, 1))
        await make_report(session, earlier)
        await session.commit()
    channel = RecordingChannel()

    await _push(db, channel)

    (contact,) = channel.morning[0].contacts
    assert contact.last_call is not None
    assert contact.last_call.day == date(2026, 11, 1)
    assert contact.last_call.outcome.value == "talked"


async def test_the_evening_reminder_goes_once_and_only_to_those_with_unreported_calls(db: Database) -> None:
    people = await _roster(db, callers=2)
    channel = RecordingChannel()
    await _push(db, channel)
    async with db.sessions() as session:
        done = (await session.execute(select(Assignment).where(
            Assignment.office_bearer_id == people[0].id))).scalars().all()
        for assignment in done:
            await make_report(session, assignment)
        await session.commit()

    first = await send_reminders(db.sessions, channel, day=DAY, clock=clock)
    again = await send_reminders(db.sessions, channel, day=DAY, clock=clock)

    assert (first, again) == (1, 0)
    assert channel.reminders[0].chat_id == people[1].telegram_user_id
    assert len(channel.reminders[0].contacts) == 2
