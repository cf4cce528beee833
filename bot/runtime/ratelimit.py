"""Sending at the rate Telegram allows and no faster: a paced gate instead of a bucket.

Telegram counts messages per second (about 30 a second overall) and answers 429 with `retry_after`
beyond that. python-telegram-bot's AIORateLimiter uses leaky buckets that let a burst through at once,
and after a 429 it releases everyone who was waiting at the same moment, which provokes the next 429.
Here requests pass one by one through a gate that spaces them evenly, never lets more than the limit into
any one-second window (counted as Telegram counts), and makes up for a late wake-up of the event loop
only by a fraction of a slot, so that a stall is never followed by a burst. A 429 closes the gate until
`retry_after` has passed, and whoever was waiting goes through one by one after it rather than all at
once. Requests without a chat (getUpdates, answerCallbackQuery, setMyCommands) are not limited; messages
sent with `allow_paid_broadcast` pass their own gate at the paid ceiling. Telegram's wish of about one
message a second in one chat needs no pacing: the morning push is one message per person, and a
person's own taps are answered as they come.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
PACE = 0.97
"""Share of Telegram's rate actually used: the margin for jitter between our clock and Telegram's."""
FREE_PER_SECOND = 30.0
PAID_PER_SECOND = 1000.0


class _Gate:
    """Lets requests through one at a time, evenly spaced, at most `limit` in any second."""

    def __init__(self, per_second: float, clock: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self.limit = int(per_second)
        self.interval = 1.0 / (per_second * PACE)
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._next = 0.0
        self._recent: deque[float] = deque()
        self.paused_until = 0.0

    async def pass_through(self) -> None:
        """Wait for this request's turn; it may go out as soon as this returns."""
        async with self._lock:
            while (delay := self._delay(self._clock())) > 0:
                await self._sleep(delay)
            now = self._clock()
            self._next = max(self._next, now - self.interval / 2) + self.interval
            self._recent.append(now)

    def _delay(self, now: float) -> float:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        window = self._recent[0] + 1.0 - now if len(self._recent) >= self.limit else 0.0
        return max(self._next - now, self.paused_until - now, window)

    def pause(self, until: float) -> None:
        """Nothing goes out before `until` (Telegram said retry_after)."""
        self.paused_until = max(self.paused_until, until)


class PacedRateLimiter(BaseRateLimiter[int]):
    """Paces every message that goes to a chat so that Telegram never has to answer 429.

    `rate_limit_args` (per request) overrides the number of retries after a 429. `clock` and `sleep` are
    the monotonic time and the pause it waits with; tests pass a virtual pair so that they prove the pacing
    rule without depending on how fast the machine is.
    """

    def __init__(self, *, per_second: float = FREE_PER_SECOND, paid_per_second: float = PAID_PER_SECOND,
                 max_retries: int = 3, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._free = _Gate(per_second, clock, sleep)
        self._paid = _Gate(paid_per_second, clock, sleep)
        self._max_retries = max_retries
        self._clock = clock

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for this request's moment, send it, and after a 429 pause everyone and try again."""
        if data.get("chat_id") is None:
            return await callback(*args, **kwargs)
        gate = self._paid if data.get("allow_paid_broadcast") else self._free
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        for attempt in range(retries + 1):
            await gate.pass_through()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = _seconds(exc)
                log.warning("Telegram asked to slow down: pausing sends for %.1f s", wait)
                gate.pause(self._clock() + wait + 0.1)
        raise AssertionError("unreachable")


def _seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait: seconds today, a timedelta in a later python-telegram-bot."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]
