"""Injected faults: the next calls of a method answer with an error, arrive late, or lose their connection."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from bot.sandbox.errors import ApiError, ConnectionDropped

__all__ = ["QUIET_DROPS", "DroppedResponse", "FaultInjection", "InjectedFailure"]

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class InjectedFailure:
    """One injected fault: answer ``error``, or hold the request ``stall`` seconds, or ``drop`` the connection.

    A stall or drop with ``processed`` does the method first (the answer is what gets lost), without it the
    method never happens (after a stall the late answer is ``error``).
    """

    error: ApiError
    remaining: int
    stall: float = 0.0
    drop: bool = False
    processed: bool = False


class DroppedResponse(Response):
    """Starts an answer and hangs up in the middle: over uvicorn the socket closes, in-process httpx raises."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
        raise ConnectionDropped("Server disconnected without sending a complete response.")


class QuietDrops(logging.Filter):
    """Keeps uvicorn from logging an intended hang-up as an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


QUIET_DROPS = QuietDrops()


class FaultInjection:
    """The test-facing side of faults (``fail_next``, ``stall_next``, ``drop_next``) and their effect on calls."""

    _failures: dict[str, deque[InjectedFailure]]

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this error (429 always carries retry_after).

        A 429 storm is ``fail_next(method, status=429, retry_after=..., count=many)``: every one of those calls
        is refused, however the client spaces them.
        """
        if status == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        error = ApiError(status, description or _DEFAULT_DESCRIPTIONS.get(status, "Error"), retry_after)
        self._failures[method.lower()].append(InjectedFailure(error, count))

    def stall_next(self, method: str, *, seconds: float, processed: bool, count: int = 1) -> None:
        """Hold the next ``count`` calls of ``method`` for ``seconds`` before answering: a timeout if the client
        gives up sooner.

        With ``processed`` the call is carried out at once and only its answer is late (the message is in the
        chat, the client never learns its id); without, nothing happens and the late answer is a 504.
        """
        error = ApiError(504, "Gateway Timeout")
        self._failures[method.lower()].append(InjectedFailure(error, count, stall=seconds, processed=processed))

    def drop_next(self, method: str, *, processed: bool, count: int = 1) -> None:
        """Close the connection of the next ``count`` calls of ``method`` without an answer (the client sees
        ``ConnectionDropped``, an ``httpx.RemoteProtocolError``); with ``processed`` the call was carried out.
        """
        error = ApiError(502, "connection dropped")
        self._failures[method.lower()].append(InjectedFailure(error, count, drop=True, processed=processed))

    async def _with_faults(self, method: str, carry_out: Callable[[], Awaitable[Any]]) -> Any:
        """Carry out a call, unless a fault injected for ``method`` answers, delays or drops it instead."""
        failures = self._failures.get(method.lower())
        if not failures:
            return await carry_out()
        failure = failures[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            failures.popleft()
        result = await carry_out() if failure.processed else None
        if failure.drop:
            raise ConnectionDropped(method)
        await asyncio.sleep(failure.stall)
        if failure.processed:
            return result
        raise failure.error
