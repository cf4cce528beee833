"""Run the real bot against the in-process Bot API emulator: used by `samvad demo` and by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.db import SessionFactory
from bot.runtime.app import ChatOrderedUpdateProcessor, build_application
from bot.sandbox import FakeTelegram, FakeUser

SANDBOX_BASE_URL = "http://sandbox.local/bot"
SANDBOX_TOKEN = "123456:SANDBOX-TOKEN"


class TrackedUpdateProcessor(ChatOrderedUpdateProcessor):
    """The production processor (chats concurrently, each chat in order) that lets a caller wait until
    every update up to a given one has been handled."""

    def __init__(self) -> None:
        super().__init__()
        self.newest_started = 0
        self._in_flight: set[int] = set()
        self._changed = asyncio.Condition()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle one update, noting it as in flight until it is done."""
        update_id = getattr(update, "update_id", 0)
        self.newest_started = max(self.newest_started, update_id)
        self._in_flight.add(update_id)
        try:
            await super().do_process_update(update, coroutine)
        finally:
            async with self._changed:
                self._in_flight.discard(update_id)
                self._changed.notify_all()

    def _done_up_to(self, update_id: int) -> bool:
        """Updates reach the processor in order, so those up to `update_id` are done once it has started
        and none of them is still in flight."""
        return self.newest_started >= update_id and all(pending > update_id for pending in self._in_flight)

    async def wait_for(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the update with this id (and every earlier one) has been handled."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self._done_up_to(update_id)), timeout)


@dataclass
class SandboxBot:
    """A running bot wired to a FakeTelegram, and the means to wait until it has caught up."""

    app: Application  # type: ignore[type-arg]
    fake: FakeTelegram
    updates: TrackedUpdateProcessor

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until the bot has handled every update the fake has produced so far."""
        await self.updates.wait_for(self.fake.last_update_id, timeout)

    async def say(self, user: FakeUser, text: str) -> None:
        """The user sends a text (or command), and the bot handles it."""
        await user.send_text(text)
        await self.settle()

    async def tap(self, user: FakeUser, *labels: str) -> None:
        """The user presses buttons by label, one after the other, each handled before the next."""
        for label in labels:
            await user.press_label(label)
            await self.settle()

    async def press(self, user: FakeUser, callback_data: str, *, message_id: int | None = None) -> None:
        """The user presses the button carrying this data (on an older message when `message_id` is given)."""
        await user.press(callback_data, message_id=message_id)
        await self.settle()


@asynccontextmanager
async def sandbox_bot(settings: Settings, sessions: SessionFactory, *, fake: FakeTelegram | None = None,
                      clock: Callable[[], datetime] | None = None,
                      with_jobs: bool = False) -> AsyncIterator[SandboxBot]:
    """Start the real Application, polling the emulator in-process, and stop it cleanly afterwards."""
    fake = fake or FakeTelegram(token=SANDBOX_TOKEN)
    settings = replace(settings, telegram=replace(settings.telegram, token=fake.token, base_url=SANDBOX_BASE_URL))
    updates = TrackedUpdateProcessor()
    extra: dict[str, Any] = {} if clock is None else {"clock": clock}
    app = build_application(
        settings, sessions,
        request=HTTPXRequest(httpx_kwargs={"transport": fake.transport()}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"transport": fake.transport()}, read_timeout=10),
        update_processor=updates, with_jobs=with_jobs, **extra)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield SandboxBot(app=app, fake=fake, updates=updates)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
