"""A per-person request limit for the dashboard's API, kept in memory (one process serves the dashboard)."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta


class RateLimit:
    """At most `limit` requests per key in any `window`; time comes from the caller, so tests control it."""

    def __init__(self, limit: int = 60, window: timedelta = timedelta(minutes=1)) -> None:
        """A limit of `limit` requests per key within `window`."""
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[datetime]] = {}

    def allow(self, key: int, now: datetime) -> bool:
        """Count a request by `key` at `now`; False when the key already made `limit` requests in the window."""
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        if len(self._seen) > 10_000:
            self._forget(now)
        return True

    def retry_after(self, key: int, now: datetime) -> int:
        """Whole seconds until `key` may ask again (at least 1)."""
        seen = self._seen.get(key)
        if not seen:
            return 1
        return max(1, int((seen[0] + self.window - now).total_seconds()) + 1)

    def _forget(self, now: datetime) -> None:
        """Drop keys with no request in the window, so the table does not grow without end."""
        for key in [key for key, seen in self._seen.items() if not seen or now - seen[-1] >= self.window]:
            del self._seen[key]
