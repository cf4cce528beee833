"""Faults the sandbox injects, as python-telegram-bot sees them over real HTTP: a timeout with or without the
call carried out, a connection dropped with or without it, and a storm of 429s."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox import FakeTelegram, load_spec

USER = 501


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(spec=load_spec())
    fake.add_user(USER, "Asha", started=True)
    async with fake:
        yield fake
    assert fake.violations == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bot talking to the sandbox over real HTTP, giving up on an answer after 0.2 s."""
    async with fake.serve() as base_url, Bot(fake.token, base_url=base_url,
                                             request=HTTPXRequest(read_timeout=0.2)) as bot:
        yield bot


@pytest.mark.parametrize("processed", [True, False])
async def test_a_stalled_call_times_out_and_was_carried_out_only_if_asked(
        fake: FakeTelegram, bot: Bot, processed: bool) -> None:
    fake.stall_next("sendMessage", seconds=0.5, processed=processed)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "first")
    assert [m.text for m in fake.messages(USER)] == (["first"] if processed else [])
    await bot.send_message(USER, "second")
    assert fake.messages(USER)[-1].text == "second"


@pytest.mark.parametrize("processed", [True, False])
async def test_a_dropped_connection_is_a_network_error_and_was_carried_out_only_if_asked(
        fake: FakeTelegram, bot: Bot, processed: bool) -> None:
    fake.drop_next("sendMessage", processed=processed)
    with pytest.raises(NetworkError) as raised:
        await bot.send_message(USER, "first")
    assert not isinstance(raised.value, TimedOut)
    assert [m.text for m in fake.messages(USER)] == (["first"] if processed else [])
    await bot.send_message(USER, "second")
    assert fake.messages(USER)[-1].text == "second"


async def test_a_dropped_connection_in_process_is_a_network_error_too(fake: FakeTelegram) -> None:
    fake.drop_next("sendMessage", processed=False)
    async with Bot(fake.token, base_url=fake.base_url, request=fake.ptb_request()) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "lost")
        await bot.send_message(USER, "kept")
    assert [m.text for m in fake.messages(USER)] == ["kept"]


async def test_a_429_storm_refuses_every_call_until_it_passes(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=2, count=4)
    for _ in range(4):
        with pytest.raises(RetryAfter, match="Retry in 2"):
            await bot.send_message(USER, "too soon")
    await bot.send_message(USER, "now")
    assert [call.status for call in fake.requests if call.method == "sendMessage"] == [429] * 4 + [200]
    assert [m.text for m in fake.messages(USER)] == ["now"]
