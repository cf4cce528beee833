"""The dashboard beside the bot: built from the settings, served by uvicorn in polling mode (in the bot's event
loop) or mounted on the webhook server in webhook mode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import uvicorn
from starlette.types import ASGIApp
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.db import SessionFactory
from web.app import build_web_app


def build_dashboard(settings: Settings, sessions: SessionFactory, clock: Callable[[], datetime]) -> ASGIApp | None:
    """The dashboard app, or None when `web.enabled` is off or there is no bot token to check init data with."""
    if not settings.web.enabled or not settings.telegram.token:
        return None
    return build_web_app(settings, sessions, clock)


def web_server(app: ASGIApp, *, listen: str, port: int) -> uvicorn.Server:
    """uvicorn serving the dashboard on `listen`:`port` (the reverse proxy forwards the public URL to it)."""
    config = uvicorn.Config(app, host=listen, port=port, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=5)
    return uvicorn.Server(config)


async def run_polling_with_web(application: Application, server: uvicorn.Server, *,  # type: ignore[type-arg]
                               poll_interval: float = 0.0, timeout: int = 10) -> None:
    """Poll Telegram for updates and serve the dashboard in the same event loop until stopped.

    uvicorn stops on SIGTERM or SIGINT (or when `server.should_exit` is set); then polling stops and the
    Application finishes the updates it holds before it shuts down.
    """
    assert application.updater is not None, "polling needs the Application's updater"
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.updater.start_polling(poll_interval=poll_interval, timeout=timeout,
                                                allowed_updates=Update.ALL_TYPES)
        await application.start()
        try:
            await server.serve()
        finally:
            await application.updater.stop()
            await application.stop()
