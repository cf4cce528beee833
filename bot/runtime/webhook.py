"""Webhook mode: Telegram posts updates to a small ASGI app behind the reverse proxy.

python-telegram-bot's own webhook server has no health route, so this follows PTB's "custom webhook bot"
example instead: a Starlette app whose POST route checks Telegram's secret header and only queues the
update (the answer goes back at once; the Application handles it), and whose GET /healthz tells the
process manager whether the bot can reach its database.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from dataclasses import dataclass

import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp
from telegram import Update
from telegram.ext import Application

from bot.config import TelegramSettings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts (the public URL) and the secret it must send with every update."""

    url: str
    secret: str

    @classmethod
    def from_settings(cls, telegram: TelegramSettings) -> Webhook:
        """The configured webhook; without a configured secret, a fresh one for this run (we set it ourselves)."""
        assert telegram.webhook_url, "telegram.webhook_url is required in webhook mode"
        return cls(telegram.webhook_url, telegram.webhook_secret or secrets.token_urlsafe(32))


async def database_reachable(engine: AsyncEngine, timeout: float = HEALTH_TIMEOUT_SECONDS) -> bool:
    """Whether `SELECT 1` answers within `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return False
    return True


def webhook_app(application: Application, webhook: Webhook, engine: AsyncEngine, *,  # type: ignore[type-arg]
                dashboard: ASGIApp | None = None) -> Starlette:
    """The ASGI app: POST /telegram queues an update carrying the right secret (403 otherwise), GET /healthz,
    and every other path to the `dashboard` when there is one (it serves /app/)."""
    expected = webhook.secret.encode()

    async def telegram_update(request: Request) -> Response:
        sent = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(sent, expected):
            log.warning("webhook: refused a request without the right secret token")
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    async def health(_request: Request) -> JSONResponse:
        database = await database_reachable(engine)
        body = {"status": "ok" if database else "unavailable", "database": "ok" if database else "unreachable",
                "bot": "running" if application.running else "stopped"}
        return JSONResponse(body, status_code=200 if database and application.running else 503)

    routes: list[Route | Mount] = [Route(WEBHOOK_PATH, telegram_update, methods=["POST"]),
                                   Route(HEALTH_PATH, health, methods=["GET"])]
    if dashboard is not None:
        routes.append(Mount("", app=dashboard))
    return Starlette(routes=routes)


def webhook_server(application: Application, webhook: Webhook, engine: AsyncEngine, *,  # type: ignore[type-arg]
                   listen: str, port: int, dashboard: ASGIApp | None = None) -> uvicorn.Server:
    """uvicorn serving `webhook_app` (with the dashboard, if any) on `listen`:`port` (the reverse proxy forwards
    to it)."""
    config = uvicorn.Config(webhook_app(application, webhook, engine, dashboard=dashboard), host=listen, port=port,
                            log_level="warning",
                            access_log=False, lifespan="off", timeout_graceful_shutdown=5)
    return uvicorn.Server(config)


async def run_webhook(application: Application, server: uvicorn.Server, webhook: Webhook) -> None:  # type: ignore[type-arg]
    """Start the bot, tell Telegram where to post (with the secret), serve until stopped, then stop the bot.

    uvicorn stops on SIGTERM or SIGINT (or when `server.should_exit` is set); updates already queued are
    handled before the Application stops.
    """
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            await application.bot.set_webhook(url=webhook.url, secret_token=webhook.secret,
                                              allowed_updates=Update.ALL_TYPES)
            await server.serve()
        finally:
            await application.stop()

