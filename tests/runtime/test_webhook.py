"""Webhook mode over real HTTP on 127.0.0.1: Telegram (the fake) posts updates with the secret header to
the bot's own ASGI server; anyone else is refused; /healthz tells the process manager about the database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.db import make_engine
from bot.runtime.app import build_application
from bot.runtime.local import SANDBOX_BASE_URL, SANDBOX_TOKEN, SandboxBot, TrackedUpdateProcessor
from bot.runtime.webhook import HEALTH_PATH, SECRET_HEADER, WEBHOOK_PATH, Webhook, run_webhook, webhook_server
from bot.sandbox import FakeTelegram, load_spec
from tests.conftest import Database

SECRET = "test-webhook-secret_1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def webhook_bot(db: Database, *,
                      health_engine: AsyncEngine | None = None) -> AsyncIterator[tuple[SandboxBot, str]]:
    """The real bot in webhook mode on a free local port, registered with the fake Telegram; yields its base URL."""
    fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec(), webhook_retry_delay=0.05)
    settings = Settings()
    settings = replace(settings, telegram=replace(settings.telegram, token=fake.token, base_url=SANDBOX_BASE_URL))
    updates = TrackedUpdateProcessor()
    app = build_application(settings, db.sessions, request=HTTPXRequest(httpx_kwargs={"transport": fake.transport()}),
                            update_processor=updates, with_jobs=False)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    webhook = Webhook(f"{base}{WEBHOOK_PATH}", SECRET)
    server = webhook_server(app, webhook, health_engine or db.engine, listen="127.0.0.1", port=port)
    task = asyncio.create_task(run_webhook(app, server, webhook))
    while not server.started:
        assert not task.done(), "the webhook server did not start"
        await asyncio.sleep(0.01)
    try:
        yield SandboxBot(app=app, fake=fake, updates=updates), base
    finally:
        server.should_exit = True
        await task
        await fake.aclose()
    assert fake.violations == []


def _start_update(update_id: int, user_id: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": 1_780_000_000, "text": "/start",
        "chat": {"id": user_id, "type": "private", "first_name": "Intruder"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Intruder"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


async def test_the_bot_sets_its_webhook_with_the_secret_and_answers_start_posted_by_telegram(db: Database) -> None:
    async with webhook_bot(db) as (bot, base):
        hook = bot.fake.webhook
        user = bot.fake.add_user(user_id=9101, first_name="Asha")

        await bot.say(user, "/start")

        assert hook is not None and (hook.url, hook.secret_token) == (f"{base}{WEBHOOK_PATH}", SECRET)
        assert "मोबाइल नंबर" in user.last_message.text
        assert hook.last_error_message is None


async def test_a_post_without_the_right_secret_is_refused_and_not_handled(db: Database) -> None:
    async with webhook_bot(db) as (bot, base):
        intruder = bot.fake.add_user(user_id=9102, first_name="Intruder")
        async with httpx.AsyncClient(base_url=base) as client:
            missing = await client.post(WEBHOOK_PATH, json=_start_update(900_001, intruder.user_id))
            wrong = await client.post(WEBHOOK_PATH, json=_start_update(900_002, intruder.user_id),
                                      headers={SECRET_HEADER: SECRET + "x"})
        honest = bot.fake.add_user(user_id=9103, first_name="Asha")
        await bot.say(honest, "/start")

        assert (missing.status_code, wrong.status_code) == (403, 403)
        assert bot.updates.newest_started < 900_001, "the refused updates never reached the bot"
        assert bot.fake.messages(intruder.user_id) == []
        assert "मोबाइल नंबर" in honest.last_message.text


async def test_health_is_200_while_the_database_answers(db: Database) -> None:
    async with webhook_bot(db) as (_bot, base), httpx.AsyncClient(base_url=base) as client:
        response = await client.get(HEALTH_PATH)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "bot": "running"}


async def test_health_is_503_when_the_database_is_unreachable(db: Database) -> None:
    unreachable = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/samvad")
    try:
        async with webhook_bot(db, health_engine=unreachable) as (_bot, base), \
                httpx.AsyncClient(base_url=base) as client:
            response = await client.get(HEALTH_PATH)
    finally:
        await unreachable.dispose()

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable", "bot": "running"}
