"""The paced rate limiter: evenly spaced, never over the limit in any second, no burst after a 429."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from telegram.error import RetryAfter

from bot.runtime.ratelimit import PacedRateLimiter

RATE = 100.0


class Recorder:
    """A stand-in for the HTTP call: notes when each request went out, and can answer 429 once."""

    def __init__(self, refuse_first_with: int | None = None) -> None:
        self.sent: list[float] = []
        self._refuse = refuse_first_with

    async def __call__(self, *_: Any, **__: Any) -> dict[str, Any]:
        if self._refuse is not None:
            refuse, self._refuse = self._refuse, None
            raise RetryAfter(refuse)
        self.sent.append(time.monotonic())
        return {"ok": True}


async def _send_all(limiter: PacedRateLimiter, recorder: Recorder, count: int, data: dict[str, Any]) -> None:
    await asyncio.gather(*(limiter.process_request(recorder, (), {}, "sendMessage", data, None)
                           for _ in range(count)))


def _most_in_one_second(moments: list[float]) -> int:
    return max(sum(1 for other in moments if start <= other < start + 1.0) for start in moments)


async def test_messages_go_out_evenly_spaced_and_never_over_the_limit_in_any_second() -> None:
    limiter, recorder = PacedRateLimiter(per_second=RATE), Recorder()

    started = time.monotonic()
    await _send_all(limiter, recorder, 150, {"chat_id": 1})
    took = time.monotonic() - started

    assert len(recorder.sent) == 150
    assert _most_in_one_second(recorder.sent) <= RATE
    assert 150 / took >= 0.9 * RATE
    gaps = [b - a for a, b in itertools.pairwise(recorder.sent)]
    assert min(gaps) >= 0.4 / RATE


async def test_a_429_pauses_everyone_and_they_resume_one_by_one() -> None:
    limiter, recorder = PacedRateLimiter(per_second=RATE), Recorder(refuse_first_with=1)

    started = time.monotonic()
    await _send_all(limiter, recorder, 50, {"chat_id": 1})

    assert len(recorder.sent) == 50
    assert recorder.sent[0] - started >= 1.0
    assert _most_in_one_second(recorder.sent) <= RATE
    assert min(b - a for a, b in itertools.pairwise(recorder.sent)) >= 0.4 / RATE


async def test_requests_without_a_chat_are_not_held_back() -> None:
    limiter, recorder = PacedRateLimiter(per_second=2), Recorder()

    started = time.monotonic()
    await _send_all(limiter, recorder, 20, {"callback_query_id": "7"})

    assert time.monotonic() - started < 0.5
    assert len(recorder.sent) == 20


async def test_paid_broadcasts_have_their_own_higher_ceiling() -> None:
    limiter, recorder = PacedRateLimiter(per_second=2, paid_per_second=RATE), Recorder()

    started = time.monotonic()
    await _send_all(limiter, recorder, 40, {"chat_id": 1, "allow_paid_broadcast": True})

    assert time.monotonic() - started < 1.0
    assert _most_in_one_second(recorder.sent) <= RATE
