"""The real python-telegram-bot Application, polling a fake Bot API server, on the real test database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.config import Settings
from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import DeliveryStats, push_day, send_reminders
from bot.runtime.local import SANDBOX_TOKEN, SandboxBot, sandbox_bot
from bot.sandbox import FakeMessage, FakeTelegram, FakeUser, load_spec
from handlers.channel import TelegramChannel
from models import OfficeBearer
from tests.conftest import Database
from tests.factories import make_booth, make_office_bearer

MORNING = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)  # 08:00 in Asia/Kolkata


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Harness:
    """A running bot with its fake Telegram, database and clock, and the steps tests repeat."""

    running: SandboxBot
    db: Database
    clock: Clock
    settings: Settings

    @property
    def fake(self) -> FakeTelegram:
        return self.running.fake

    @property
    def today(self) -> date:
        return self.clock().astimezone(self.settings.outreach.zone).date()

    def channel(self) -> TelegramChannel:
        return TelegramChannel(self.running.app.bot, self.settings.outreach.default_language)

    async def push(self) -> DeliveryStats:
        """The morning push, exactly as the scheduled job runs it."""
        return await push_day(self.db.sessions, self.channel(), day=self.today, clock=self.clock,
                              policy=RotationPolicy.from_settings(self.settings.outreach))

    async def remind(self) -> int:
        """The evening reminder, exactly as the scheduled job runs it."""
        return await send_reminders(self.db.sessions, self.channel(), day=self.today, clock=self.clock)

    async def register(self, person: OfficeBearer, *, user_id: int, language_code: str = "hi") -> FakeUser:
        """A Telegram user who starts the bot and shares their own roster number."""
        user = self.fake.add_user(user_id=user_id, first_name=person.name.split()[0], language_code=language_code)
        await user.send_text("/start")
        await user.next_message()
        await user.share_contact(person.phone)
        await user.next_message()
        await user.next_message()
        return user

    async def roster(self, booths: int, *names: str, president: str | None = None) -> list[OfficeBearer]:
        """`booths` booths (each president named `president`, if given) and one office-bearer per name, committed."""
        async with self.db.sessions() as session:
            for _ in range(booths):
                await make_booth(session, president=president)
            people = [await make_office_bearer(session, name=name) for name in names]
            await session.commit()
        return people

    async def caller_with_morning(self, *, user_id: int,
                                  president: str | None = None) -> tuple[FakeUser, FakeMessage]:
        """Ravi Kumar, registered with two booths to call, and the morning message the push sends him."""
        (person,) = await self.roster(2, "Ravi Kumar", president=president)
        user = await self.register(person, user_id=user_id)
        await self.push()
        return user, await user.next_message()

    async def new_user(self, *, user_id: int, **fields: Any) -> FakeUser:
        """A new office-bearer on the roster (`fields` as for `make_office_bearer`), registered with the bot."""
        async with self.db.sessions() as session:
            person = await make_office_bearer(session, **fields)
            await session.commit()
        return await self.register(person, user_id=user_id)

    async def settle(self) -> None:
        """Wait until the bot has handled every update sent so far."""
        await self.running.settle()

    async def say(self, user: FakeUser, text: str) -> None:
        """The user sends a text and the bot handles it."""
        await self.running.say(user, text)

    async def tap(self, user: FakeUser, *labels: str) -> None:
        """The user presses buttons by label, each handled before the next."""
        await self.running.tap(user, *labels)

    async def press(self, user: FakeUser, callback_data: str, *, message_id: int | None = None) -> None:
        """The user presses the button with this data, and the bot handles it."""
        await self.running.press(user, callback_data, message_id=message_id)


@pytest.fixture
async def harness(db: Database) -> AsyncIterator[Harness]:
    """The bot running against a fresh fake Telegram that checks every request against the Bot API spec."""
    settings = Settings()
    clock = Clock(MORNING)
    fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec())
    async with sandbox_bot(settings, db.sessions, fake=fake, clock=clock) as running:
        yield Harness(running, db, clock, settings)
    assert fake.violations == []
