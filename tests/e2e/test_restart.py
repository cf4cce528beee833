"""Restarts lose nothing: a report half done continues after a restart, and an abandoned one is still closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlalchemy import func, select

from bot.config import Settings
from bot.i18n import translate
from bot.runtime.local import SANDBOX_TOKEN, sandbox_bot
from bot.sandbox import FakeMessage, FakeTelegram, FakeUser, load_spec
from handlers.context import ServicesContext
from handlers.report import POSITION, close_abandoned_reports
from models import CallReport, ConversationState, Outcome, Strength, UserState, Wellbeing
from tests.conftest import Database
from tests.e2e.conftest import MORNING, Clock, Harness

TIMEOUT_MINUTES = 30
TIMED_OUT = translate("hi", "report.timed_out")


class Restarts:
    """One fake Telegram, database and clock, on which the bot can be started again and again."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.clock = Clock(MORNING)
        self.fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec())
        settings = Settings()
        self.settings = replace(settings, outreach=replace(settings.outreach, report_timeout_minutes=TIMEOUT_MINUTES))

    @asynccontextmanager
    async def bot(self) -> AsyncIterator[Harness]:
        """A fresh Application (a new process, as far as the bot can tell) for the duration of the block."""
        async with sandbox_bot(self.settings, self.db.sessions, fake=self.fake, clock=self.clock) as running:
            yield Harness(running, self.db, self.clock, self.settings)

    async def count(self, model: type[object]) -> int:
        async with self.db.sessions() as session:
            return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _halfway(world: Restarts) -> tuple[FakeUser, FakeMessage]:
    """Ravi's report half done on a bot that is then shut down."""
    async with world.bot() as h:
        return await _walk_halfway(h)


async def _walk_halfway(h: Harness) -> tuple[FakeUser, FakeMessage]:
    """Ravi gets his morning message and reports 'talked' and 'all well'; the bot then asks the position."""
    user, morning = await h.caller_with_morning(user_id=6001)
    talked = morning.buttons[0][0][1]
    assert talked is not None
    await h.press(user, talked)
    await h.tap(user, "सब कुशल")
    assert [label for row in user.last_message.buttons for label, _ in row][:3] == ["मज़बूत", "मध्यम", "कमज़ोर"]
    return user, morning


async def _reports(world: Restarts) -> list[CallReport]:
    async with world.db.sessions() as session:
        return list((await session.execute(select(CallReport))).scalars())


async def test_a_report_half_done_before_a_restart_continues_at_the_same_step_and_is_saved(db: Database) -> None:
    world = Restarts(db)
    user, _ = await _halfway(world)
    world.clock.advance(minutes=TIMEOUT_MINUTES - 1)

    async with world.bot() as h:
        await close_abandoned_reports(ServicesContext(h.running.app))
        await h.tap(user, "मज़बूत", "सहेजें")

    (report,) = await _reports(world)
    assert (report.outcome, report.wellbeing, report.booth_position) == (Outcome.talked, Wellbeing.well,
                                                                         Strength.strong)
    assert "सहेज ली गई" in user.last_message.text
    assert TIMED_OUT not in [message.text for message in user.messages]
    assert (await world.count(UserState), await world.count(ConversationState)) == (0, 0)
    assert world.fake.violations == []


async def test_an_abandoned_report_is_closed_after_a_restart_and_the_person_told(db: Database) -> None:
    world = Restarts(db)
    user, _ = await _halfway(world)
    world.clock.advance(minutes=TIMEOUT_MINUTES + 1)

    async with world.bot() as h:
        await close_abandoned_reports(ServicesContext(h.running.app))
        told = user.last_message.text
        await h.tap(user, "मज़बूत")

    assert told == TIMED_OUT
    assert user.callback_answers[-1] == translate("hi", "button.stale")
    assert await _reports(world) == []
    assert (await world.count(UserState), await world.count(ConversationState)) == (0, 0)
    assert world.fake.violations == []


async def test_coming_back_to_an_abandoned_report_after_a_restart_closes_it_and_a_new_one_can_start(
        db: Database) -> None:
    world = Restarts(db)
    user, morning = await _halfway(world)
    world.clock.advance(minutes=TIMEOUT_MINUTES + 1)

    async with world.bot() as h:
        await h.tap(user, "मज़बूत")
        told = user.last_message.text
        talked = morning.buttons[0][0][1]
        assert talked is not None
        await h.press(user, talked)
        await h.tap(user, "चिंता", "कमज़ोर", "सहेजें")

    assert told == TIMED_OUT
    (report,) = await _reports(world)
    assert (report.wellbeing, report.booth_position) == (Wellbeing.concern, Strength.weak)
    assert world.fake.violations == []


async def test_each_step_is_in_the_database_within_seconds_even_without_a_clean_shutdown(db: Database) -> None:
    world = Restarts(db)
    async with world.bot() as h:
        await _walk_halfway(h)
        for _ in range(40):
            async with db.sessions() as session:
                stored = (await session.execute(select(ConversationState.state))).scalars().all()
                drafts = (await session.execute(select(UserState.data))).scalars().all()
            if stored and drafts:
                break
            await asyncio.sleep(0.1)

    assert stored == [POSITION]
    assert [draft["report_draft"]["report_draft"]["wellbeing"] for draft in drafts] == ["well"]
