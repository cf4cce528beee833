"""The database going away for a while: people are told to try again shortly, the morning push waits for
it, and everything works again once it is back. No process is stopped: the bot's sessions are pointed at
a port where nothing listens, then back at the real database."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import select
from telegram.ext import Job

from bot.config import Settings
from bot.db import SessionFactory, make_engine, make_session_factory
from bot.i18n import translate
from bot.runtime.jobs import PUSH_RETRY_SECONDS, morning_push
from bot.runtime.local import SANDBOX_TOKEN, sandbox_bot
from bot.sandbox import FakeTelegram, load_spec
from models import Delivery
from tests.conftest import Database
from tests.e2e.conftest import MORNING, Clock, Harness
from tests.factories import make_booth, make_office_bearer


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def _switchable(db: Database) -> AsyncIterator[tuple[Harness, SessionFactory]]:
    """The bot with its own session factory, which the test can point away from the database and back."""
    sessions = make_session_factory(db.engine)
    settings, clock = Settings(), Clock(MORNING)
    fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec())
    async with sandbox_bot(settings, sessions, fake=fake, clock=clock) as running:
        yield Harness(running, db, clock, settings), sessions
    assert fake.violations == []


@asynccontextmanager
async def _outage(sessions: SessionFactory) -> AsyncIterator[None]:
    """While inside, every new connection of `sessions` is refused, as when PostgreSQL is restarting."""
    down = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/samvad")
    real = sessions.kw["bind"]
    sessions.configure(bind=down)
    try:
        yield
    finally:
        sessions.configure(bind=real)
        await down.dispose()


async def test_a_message_while_the_database_is_away_gets_try_again_shortly_and_then_works(db: Database) -> None:
    async with _switchable(db) as (h, sessions):
        async with h.db.sessions() as session:
            person = await make_office_bearer(session, name="Asha Devi")
            await session.commit()
        user = await h.register(person, user_id=8101)

        async with _outage(sessions):
            await h.say(user, "/summary")
            during = user.last_message.text
            await h.say(user, "/start")
            again = user.last_message.text
        await h.say(user, "/start")
        after = user.last_message.text

        assert h.running.app.running
    assert during == again == translate("hi", "error.busy")
    assert after != translate("hi", "error.busy")
    assert "Asha Devi" in after


async def test_the_morning_push_waits_for_the_database_and_delivers_when_it_is_back(db: Database) -> None:
    async with _switchable(db) as (h, sessions):
        async with h.db.sessions() as session:
            for _ in range(2):
                await make_booth(session)
            person = await make_office_bearer(session, name="Sunil Verma")
            await session.commit()
        user = await h.register(person, user_id=8102)
        queue = h.running.app.job_queue
        assert queue is not None
        before = len(h.fake.messages(user.user_id))

        async with _outage(sessions):
            await Job(morning_push, name="morning_push").run(h.running.app)
            retries = queue.get_jobs_by_name("morning_push_retry")
            assert len(h.fake.messages(user.user_id)) == before, "nothing could be sent"
        assert [job.data for job in retries] == [h.today]
        due_in = retries[0].next_t - datetime.now(UTC) if retries[0].next_t else None
        assert due_in is not None and abs(due_in.total_seconds() - PUSH_RETRY_SECONDS) < 10
        await retries[0].run(h.running.app)
        for job in retries:
            job.schedule_removal()

        async with h.db.sessions() as session:
            delivered = (await session.execute(select(Delivery).where(
                Delivery.office_bearer_id == person.id))).scalars().all()
    assert [d.day for d in delivered] == [h.today]
    assert len(h.fake.messages(user.user_id)) == before + 1
