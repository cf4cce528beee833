"""The dashboard's per-person limit: a sliding window per key, on the caller's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from web.ratelimit import RateLimit

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def test_a_key_is_held_back_after_the_limit_until_the_window_moves_on() -> None:
    limit = RateLimit(3, timedelta(minutes=1))

    assert [limit.allow(1, T0 + timedelta(seconds=i)) for i in range(4)] == [True, True, True, False]
    assert limit.allow(2, T0)
    assert limit.retry_after(1, T0 + timedelta(seconds=3)) == 58
    assert limit.allow(1, T0 + timedelta(minutes=1))
