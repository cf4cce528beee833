"""`samvad run` serves the dashboard over real HTTP on 127.0.0.1: beside polling in the same event loop, and on
the webhook server in webhook mode; switched off, or without a token, there is none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import uvicorn
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.runtime.app import build_application, utc_now
from bot.runtime.local import SANDBOX_BASE_URL, SANDBOX_TOKEN
from bot.runtime.web import build_dashboard, run_polling_with_web, web_server
from bot.runtime.webhook import HEALTH_PATH, WEBHOOK_PATH, Webhook, run_webhook, webhook_server
from bot.sandbox import FakeTelegram, load_spec
from tests.conftest import Database
from tests.runtime.test_webhook import _free_port
from web.app import build_web_app

SETTINGS = replace(Settings(), telegram=replace(Settings().telegram, token=SANDBOX_TOKEN, base_url=SANDBOX_BASE_URL))


def test_no_dashboard_when_switched_off_or_without_a_token(db: Database) -> None:
    assert build_dashboard(replace(SETTINGS, web=replace(SETTINGS.web, enabled=False)), db.sessions, utc_now) is None
    assert build_dashboard(Settings(), db.sessions, utc_now) is None
    assert build_dashboard(SETTINGS, db.sessions, utc_now) is not None


def _bot(fake: FakeTelegram, db: Database) -> Application:  # type: ignore[type-arg]
    return build_application(SETTINGS, db.sessions, request=HTTPXRequest(httpx_kwargs={"transport": fake.transport()}),
                             get_updates_request=HTTPXRequest(httpx_kwargs={"transport": fake.transport()},
                                                              read_timeout=10), with_jobs=False)


@asynccontextmanager
async def serving(server: uvicorn.Server, run: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run `run` (which serves `server`) until the block ends."""
    task = asyncio.create_task(run)
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def test_polling_mode_serves_the_dashboard_in_the_bots_event_loop(db: Database) -> None:
    fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec())
    app = _bot(fake, db)
    port = _free_port()
    server = web_server(build_web_app(SETTINGS, db.sessions, utc_now), listen="127.0.0.1", port=port)

    async with serving(server, run_polling_with_web(app, server, timeout=1)), httpx.AsyncClient() as http:
        assert app.running and app.updater is not None and app.updater.running
        page = await http.get(f"http://127.0.0.1:{port}/app/")
        api = await http.get(f"http://127.0.0.1:{port}/app/api/me")

    assert page.status_code == 200 and "content-security-policy" in page.headers
    assert api.status_code == 401
    assert not app.running
    await fake.aclose()
    assert fake.violations == []


async def test_webhook_mode_serves_the_dashboard_on_the_webhook_server(db: Database) -> None:
    fake = FakeTelegram(token=SANDBOX_TOKEN, spec=load_spec(), webhook_retry_delay=0.05)
    app = build_application(SETTINGS, db.sessions, request=HTTPXRequest(httpx_kwargs={"transport": fake.transport()}),
                            with_jobs=False)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    webhook = Webhook(f"{base}{WEBHOOK_PATH}", "a-secret")
    server = webhook_server(app, webhook, db.engine, listen="127.0.0.1", port=port,
                            dashboard=build_dashboard(SETTINGS, db.sessions, utc_now))

    async with serving(server, run_webhook(app, server, webhook)), httpx.AsyncClient() as http:
        page = await http.get(f"{base}/app/")
        api = await http.get(f"{base}/app/api/overview?period=day", headers={"Authorization": "tma x"})
        health = await http.get(f"{base}{HEALTH_PATH}")
        intruder = await http.post(f"{base}{WEBHOOK_PATH}", json={"update_id": 1})

    assert page.status_code == 200 and "app.js" in page.text
    assert api.status_code == 401
    assert health.status_code == 200
    assert intruder.status_code == 403
    await fake.aclose()
    assert fake.violations == []
