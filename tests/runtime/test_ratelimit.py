"""The paced rate limiter: evenly spaced, never over the limit in any second, no burst after a 429.

The limiter runs on a virtual clock: its pauses advance the clock instead of waiting, so each test proves
the pacing rule exactly, however busy the machine is.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from telegram.error import RetryAfter

from bot.runtime.ratelimit import PACE, PacedRateLimiter

RATE = 100.0
HALF_SLOT = 0.5 / (RATE * PACE) - 1e-9
"""The closest two messages may follow each other: a late wake-up is made up for by half a slot at most."""


class VirtualTime:
    """A monotonic clock that moves only when the limiter pauses."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        """The current virtual moment."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Advance the clock by the pause, and let the other requests run meanwhile."""
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class Recorder:
    """A stand-in for the HTTP call: notes the virtual moment each request went out, and can answer 429 once."""

    def __init__(self, time: VirtualTime, refuse_first_with: int | None = None) -> None:
        self.time = time
        self.sent: list[float] = []
        self.refused_at: float | None = None
        self._refuse = refuse_first_with

    async def __call__(self, *_: Any, **__: Any) -> dict[str, Any]:
        if self._refuse is not None:
            refuse, self._refuse = self._refuse, None
            self.refused_at = self.time.now
            raise RetryAfter(refuse)
        self.sent.append(self.time.now)
        return {"ok": True}


def _limiter(time: VirtualTime, **rates: float) -> PacedRateLimiter:
    return PacedRateLimiter(clock=time.clock, sleep=time.sleep, **rates)  # type: ignore[arg-type]


async def _send_all(limiter: PacedRateLimiter, recorder: Recorder, count: int, data: dict[str, Any]) -> None:
    await asyncio.gather(*(limiter.process_request(recorder, (), {}, "sendMessage", data, None)
                           for _ in range(count)))


def _most_in_one_second(moments: list[float]) -> int:
    return max(sum(1 for other in moments if start <= other < start + 1.0) for start in moments)


async def test_messages_go_out_evenly_spaced_and_never_over_the_limit_in_any_second() -> None:
    time = VirtualTime()
    limiter, recorder = _limiter(time, per_second=RATE), Recorder(time)

    await _send_all(limiter, recorder, 150, {"chat_id": 1})

    assert len(recorder.sent) == 150
    assert _most_in_one_second(recorder.sent) <= RATE
    gaps = [b - a for a, b in itertools.pairwise(recorder.sent)]
    assert min(gaps) >= HALF_SLOT
    assert recorder.sent[-1] <= 149 / (RATE * PACE) + 1e-9


async def test_a_429_pauses_everyone_and_they_resume_one_by_one() -> None:
    time = VirtualTime()
    limiter, recorder = _limiter(time, per_second=RATE), Recorder(time, refuse_first_with=1)

    await _send_all(limiter, recorder, 50, {"chat_id": 1})

    assert len(recorder.sent) == 50
    assert recorder.refused_at is not None
    assert min(recorder.sent) >= recorder.refused_at + 1.0
    assert _most_in_one_second(recorder.sent) <= RATE
    assert min(b - a for a, b in itertools.pairwise(recorder.sent)) >= HALF_SLOT


async def test_requests_without_a_chat_are_not_held_back() -> None:
    time = VirtualTime()
    limiter, recorder = _limiter(time, per_second=2), Recorder(time)

    await _send_all(limiter, recorder, 20, {"callback_query_id": "7"})

    assert len(recorder.sent) == 20
    assert time.now == 0.0


async def test_paid_broadcasts_have_their_own_higher_ceiling() -> None:
    time = VirtualTime()
    limiter, recorder = _limiter(time, per_second=2, paid_per_second=RATE), Recorder(time)

    await _send_all(limiter, recorder, 40, {"chat_id": 1, "allow_paid_broadcast": True})

    assert len(recorder.sent) == 40
    assert recorder.sent[-1] < 1.0
    assert _most_in_one_second(recorder.sent) <= RATE
