"""Push throughput: how close the morning push gets to Telegram's rate limit without provoking it.

For each size (office-bearers) and each mode the benchmark

1. migrates a fresh database (PostgreSQL database `samvad_bench_push` when `SAMVAD_BENCH_POSTGRES_URL` is
   set, else SQLite in a temporary directory) and loads that many registered state office-bearers and
   twice as many booths (`tests.factories.make_roster`);
2. starts a FakeTelegram in a separate process, served over real HTTP on 127.0.0.1, enforcing Telegram's
   limits: at most 30 messages in any second overall (1000 in the paid-broadcast run) and about one a
   second per chat, answering 429 with `retry_after` beyond them. It does not check requests against the
   Bot API spec here (the tests do), so that its own CPU stays out of the way;
3. runs the real bot code, built by `build_application` with the production rate limiter: `assign_day`,
   then `deliver_pending`, timed apart;
4. asks the fake what it received: messages per chat (lost = none, duplicated = more than one), 429s.

The ratio is messages per second during delivery over the allowed rate (30, or 1000 with paid broadcast).
CPU seconds are the bot's process and the fake's process during delivery: they show where the time goes.

    python -m benchmarks.push                         # 1,000 and 10,000, free then paid
    python -m benchmarks.push --sizes 1000 --modes free
    python -m benchmarks.push --quick                 # 300, a smoke run of a minute
    python -m benchmarks.push --stock-limiter         # PTB's default AIORateLimiter, for comparison
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter

from bot.config import Settings, TelegramSettings
from bot.db import SessionFactory, make_engine, make_session_factory, session_scope, upgrade_to_head
from bot.outreach.assignment import RotationPolicy, assign_day
from bot.outreach.delivery import deliver_pending, prepare_deliveries
from bot.runtime.app import build_application, utc_now
from bot.sandbox import FakeTelegram
from handlers.channel import channel_for
from tests.factories import make_roster

POSTGRES_DATABASE = "samvad_bench_push"
TOKEN = "424242:BENCH-TOKEN"
FIRST_USER_ID = 5_000_000
MODES = {"free": float(FloodLimit.MESSAGES_PER_SECOND), "paid": float(FloodLimit.PAID_MESSAGES_PER_SECOND)}


@dataclass
class Result:
    """One run: what was sent, how fast, and what the fake Telegram saw."""

    size: int
    mode: str
    backend: str
    assign_seconds: float
    deliver_seconds: float
    sent: int
    lost: int
    duplicated: int
    too_many_requests: int
    bot_cpu: float
    fake_cpu: float

    @property
    def rate(self) -> float:
        """Messages per second during delivery."""
        return self.sent / self.deliver_seconds

    @property
    def ratio(self) -> float:
        """The rate achieved over the rate allowed."""
        return self.rate / MODES[self.mode]


# --- the fake Telegram, in its own process ---------------------------------------------------------------

def _fake_process(conn: Connection, chat_ids: list[int], per_second: int) -> None:
    """Entry point of the fake's process: serve until told to stop, then report what was received."""
    asyncio.run(_serve_fake(conn, chat_ids, per_second))


async def _serve_fake(conn: Connection, chat_ids: list[int], per_second: int) -> None:
    fake = FakeTelegram(token=TOKEN, validate=False, enforce_rate_limits=True, global_per_second=per_second)
    for chat_id in chat_ids:
        fake.add_user(chat_id, "Bench", started=True)
    async with fake.serve(host="127.0.0.1", port=0) as base_url:
        conn.send(base_url)
        await asyncio.to_thread(conn.recv)
        cpu_before = time.process_time()
        conn.send("started")
        await asyncio.to_thread(conn.recv)
        sends = [call for call in fake.requests if call.method == "sendMessage"]
        conn.send({
            "received": Counter(message.chat_id for message in fake.sent),
            "too_many_requests": sum(1 for call in sends if call.status == 429),
            "cpu": time.process_time() - cpu_before,
        })


@asynccontextmanager
async def fake_telegram(chat_ids: list[int], per_second: int) -> AsyncIterator[tuple[str, Connection]]:
    """Start the fake in a child process; yield its base URL and the pipe to it."""
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_fake_process, args=(theirs, chat_ids, per_second), daemon=True)
    process.start()
    try:
        yield await asyncio.to_thread(ours.recv), ours
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()


# --- the database -------------------------------------------------------------------------------------

@asynccontextmanager
async def fresh_database(postgres_url: str | None) -> AsyncIterator[tuple[str, str]]:
    """A migrated, empty database: (backend, url). Dropped (or its directory removed) afterwards."""
    if postgres_url is None:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'push.db'}"
            await asyncio.to_thread(upgrade_to_head, url)
            yield "sqlite", url
        return
    admin = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{POSTGRES_DATABASE}"'))
    url = make_url(postgres_url).set(database=POSTGRES_DATABASE).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        yield "postgresql", url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)'))
        await admin.dispose()


async def _seed(sessions: SessionFactory, size: int) -> list[int]:
    async with session_scope(sessions) as session:
        people = await make_roster(session, callers=size, booths=2 * size + 10, first_user_id=FIRST_USER_ID)
        return [person.telegram_user_id or 0 for person in people]


# --- one run --------------------------------------------------------------------------------------------

async def run_once(size: int, mode: str, postgres_url: str | None, stock_limiter: bool) -> Result:
    """Seed, push through the real bot to a fresh fake Telegram, and measure."""
    async with fresh_database(postgres_url) as (backend, url):
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        chat_ids = await _seed(sessions, size)
        async with fake_telegram(chat_ids, int(MODES[mode])) as (base_url, fake):
            settings = replace(Settings(), telegram=TelegramSettings(
                token=TOKEN, base_url=base_url, allow_paid_broadcast=mode == "paid"))
            app = build_application(settings, sessions, with_jobs=False)
            if stock_limiter:
                app.bot._rate_limiter = AIORateLimiter(max_retries=3)  # type: ignore[attr-defined]
            day = utc_now().astimezone(settings.outreach.zone).date()
            async with app:
                channel = channel_for(app.bot, settings)
                started = time.perf_counter()
                async with session_scope(sessions) as session:
                    await assign_day(session, day=day, now=utc_now(), policy=RotationPolicy())
                    await prepare_deliveries(session, day=day, now=utc_now())
                assigned = time.perf_counter()
                fake.send("go")
                await asyncio.to_thread(fake.recv)
                cpu = time.process_time()
                stats = await deliver_pending(sessions, channel, day=day, clock=utc_now)
                delivered = time.perf_counter()
                bot_cpu = time.process_time() - cpu
            fake.send("stop")
            seen: dict[str, Any] = await asyncio.to_thread(fake.recv)
        await engine.dispose()
    received: Counter[int] = seen["received"]
    return Result(size=size, mode=mode, backend=backend, assign_seconds=assigned - started,
                  deliver_seconds=delivered - assigned, sent=stats.sent,
                  lost=sum(1 for chat_id in chat_ids if received[chat_id] == 0),
                  duplicated=sum(count - 1 for count in received.values() if count > 1),
                  too_many_requests=seen["too_many_requests"], bot_cpu=bot_cpu, fake_cpu=seen["cpu"])


# --- the table ------------------------------------------------------------------------------------------

HEADER = (f"{'size':>6} {'mode':<5} {'db':<10} {'assign s':>8} {'deliver s':>9} {'msg/s':>7} {'allowed':>7} "
          f"{'ratio':>6} {'429s':>5} {'lost':>5} {'dup':>4} {'bot cpu ms/msg':>14} {'fake cpu ms/msg':>15}")


def row(result: Result) -> str:
    """One line of the table."""
    per_message = 1000 / max(result.sent, 1)
    return (f"{result.size:>6} {result.mode:<5} {result.backend:<10} {result.assign_seconds:>8.1f} "
            f"{result.deliver_seconds:>9.1f} {result.rate:>7.1f} {MODES[result.mode]:>7.0f} {result.ratio:>6.3f} "
            f"{result.too_many_requests:>5} {result.lost:>5} {result.duplicated:>4} "
            f"{result.bot_cpu * per_message:>14.2f} {result.fake_cpu * per_message:>15.2f}")


def main() -> None:
    """Parse the flags, run every size in every mode, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="office-bearers per run, comma-separated")
    parser.add_argument("--modes", default="free,paid", help="free (30/s) and/or paid (1000/s)")
    parser.add_argument("--quick", action="store_true", help="one size of 300: a smoke run")
    parser.add_argument("--stock-limiter", action="store_true",
                        help="use python-telegram-bot's default AIORateLimiter instead of ours")
    args = parser.parse_args()
    sizes = [300] if args.quick else [int(size) for size in args.sizes.split(",")]
    modes = [mode for mode in args.modes.split(",") if mode]
    unknown = set(modes) - set(MODES)
    if unknown:
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    postgres_url = os.environ.get("SAMVAD_BENCH_POSTGRES_URL")
    print(HEADER, flush=True)
    for size in sizes:
        for mode in modes:
            print(row(asyncio.run(run_once(size, mode, postgres_url, args.stock_limiter))), flush=True)


if __name__ == "__main__":
    main()
